// Benchmark: echo GET / against nginx (one worker) returning the same JSON body, with the
// same load generator in the same run; plus start-up time to /healthz and idle RSS.
//   bun scripts/bench/echo.ts     (needs dist/demo-linux-x64: scripts/build.sh x64; wrk, nginx)
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { cpuSeconds, rssMegabytes, waitUntilUp, wrk } from "./wrk";

const binary = resolve(import.meta.dir, "../../dist/demo-linux-x64");
const body = '{"message":"This is a GET response"}';
const [nginxPort, demoPort] = [18181, 18182];
const rounds = Number(process.env.ROUNDS ?? 3);
const seconds = Number(process.env.SECONDS ?? 10);

const dir = mkdtempSync(join(tmpdir(), "bench-nginx-"));
writeFileSync(
  join(dir, "nginx.conf"),
  `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}; proxy_temp_path ${dir}; fastcgi_temp_path ${dir}; uwsgi_temp_path ${dir}; scgi_temp_path ${dir};
  server {
    listen 127.0.0.1:${nginxPort};
    location = / { default_type "application/json;charset=utf-8"; return 200 '${body}'; }
  }
}
`,
);
const nginx = Bun.spawn(["nginx", "-p", dir, "-c", join(dir, "nginx.conf")], { stderr: "inherit" });
const env = { PORT: String(demoPort), LOG_LEVEL: "warn" };

// Start-up: spawn to first 200 from /healthz, several times.
const startups: number[] = [];
for (let i = 0; i < 5; i++) {
  const started = performance.now();
  const server = Bun.spawn([binary, "echo-server"], { env });
  await waitUntilUp(`http://127.0.0.1:${demoPort}/healthz`);
  startups.push(performance.now() - started);
  server.kill("SIGKILL");
  await server.exited;
}

const demo = Bun.spawn([binary, "echo-server"], { env });
await waitUntilUp(`http://127.0.0.1:${demoPort}/healthz`);
await waitUntilUp(`http://127.0.0.1:${nginxPort}/`);
await Bun.sleep(2_000);
const idleRss = rssMegabytes(demo.pid);
for (const [url, got] of [
  [`http://127.0.0.1:${nginxPort}/`, await (await fetch(`http://127.0.0.1:${nginxPort}/`)).text()],
  [`http://127.0.0.1:${demoPort}/`, await (await fetch(`http://127.0.0.1:${demoPort}/`)).text()],
]) {
  if (got !== body) throw new Error(`${url} answered ${got}, not the benchmark body`);
}

// Throughput depends on what else the machine runs; server CPU time per request does not.
const nginxWorker = Number((await Bun.$`pgrep -P ${nginx.pid}`.text()).trim().split("\n")[0]);
const pids = { nginx: nginxWorker, demo: demo.pid };
const cpuPerRequest = { nginx: [] as number[], demo: [] as number[] };
const results = { nginx: [] as number[], demo: [] as number[] };
const p99 = { nginx: [] as number[], demo: [] as number[] };
await wrk(`http://127.0.0.1:${demoPort}/`, { seconds: 2 }); // warm-up (JIT)
for (let round = 0; round < rounds; round++) {
  for (const [name, port] of [
    ["nginx", nginxPort],
    ["demo", demoPort],
  ] as const) {
    const cpuBefore = cpuSeconds(pids[name]);
    const result = await wrk(`http://127.0.0.1:${port}/`, { seconds });
    cpuPerRequest[name].push(
      ((cpuSeconds(pids[name]) - cpuBefore) * 1e6) / (result.requestsPerSecond * seconds),
    );
    if (result.errors > 0) throw new Error(`${name}: ${result.errors} non-2xx answers`);
    results[name].push(result.requestsPerSecond);
    p99[name].push(result.p99Ms);
  }
}
const peakRss = rssMegabytes(demo.pid);
demo.kill();
nginx.kill("SIGQUIT");

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const ratio = median(results.demo) / median(results.nginx);
console.log(`echo GET / with wrk -t1 -c50 -d${seconds}s, ${rounds} rounds each (median):
  nginx (1 worker)  ${median(results.nginx).toFixed(0).padStart(7)} req/s  p99 ${median(p99.nginx).toFixed(2)} ms  server CPU ${median(cpuPerRequest.nginx).toFixed(1)} us/request
  demo echo-server  ${median(results.demo).toFixed(0).padStart(7)} req/s  p99 ${median(p99.demo).toFixed(2)} ms  server CPU ${median(cpuPerRequest.demo).toFixed(1)} us/request
  ratio demo/nginx  ${ratio.toFixed(2)} by throughput, ${(median(cpuPerRequest.nginx) / median(cpuPerRequest.demo)).toFixed(2)} by CPU per request  (goal >= 0.80)
start-up to first /healthz 200: median ${median(startups).toFixed(1)} ms, max ${Math.max(...startups).toFixed(1)} ms (goal <= 50)
RSS: idle ${idleRss.toFixed(1)} MB (goal < 50), after load ${peakRss.toFixed(1)} MB`);
