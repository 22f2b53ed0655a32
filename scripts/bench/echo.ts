// Benchmark: echo GET / against nginx (one worker) returning the same JSON body, with the
// same load generator in the same run; plus start-up time to /healthz and idle RSS.
// A bare Bun.serve answering with the same JSON from a JavaScript handler runs too: the
// ceiling for any Bun server that runs code per request (metrics included).
//   bun scripts/bench/echo.ts     (needs dist/demo-linux-x64: scripts/build.sh x64; wrk, nginx)
import { resolve } from "node:path";
import { GET_BODY } from "../../src/echo/server";
import { startNginx } from "./nginx";
import { cpuSeconds, rssMegabytes, waitUntilUp, wrk } from "./wrk";

const binary = resolve(import.meta.dir, "../../dist/demo-linux-x64");
const body = JSON.stringify(GET_BODY);
const [nginxPort, demoPort, bunPort] = [18181, 18182, 18183];
// Many short rounds, each a pair of runs in alternating order: on a shared machine the speed
// of both servers drifts by ±20% over seconds, and each round's ratio cancels most of it.
const rounds = Number(process.env.ROUNDS ?? 10);
const seconds = Number(process.env.SECONDS ?? 3);

const nginx = await startNginx(nginxPort, body);
const env = { PORT: String(demoPort), LOG_LEVEL: "warn" };

// Start-up: spawn to first 200 from /healthz, 15 times: one slow moment of a shared machine
// must not decide the median.
const startups: number[] = [];
for (let i = 0; i < 15; i++) {
  const started = performance.now();
  const server = Bun.spawn([binary, "echo-server"], { env });
  await waitUntilUp(`http://127.0.0.1:${demoPort}/healthz`);
  startups.push(performance.now() - started);
  server.kill("SIGKILL");
  await server.exited;
}

const demo = Bun.spawn([binary, "echo-server"], { env });
await waitUntilUp(`http://127.0.0.1:${demoPort}/healthz`);
await fetch(`http://127.0.0.1:${demoPort}/metrics`); // the registry loads late: count it too
await Bun.sleep(2_000);
const idleRss = rssMegabytes(demo.pid);
for (const [url, got] of [
  [`http://127.0.0.1:${nginxPort}/`, await (await fetch(`http://127.0.0.1:${nginxPort}/`)).text()],
  [`http://127.0.0.1:${demoPort}/`, await (await fetch(`http://127.0.0.1:${demoPort}/`)).text()],
]) {
  if (got !== body) throw new Error(`${url} answered ${got}, not the benchmark body`);
}

const bareBun = Bun.spawn([
  process.execPath,
  "-e",
  `const body = ${body}; Bun.serve({ port: ${bunPort}, development: false, routes: { "/": { GET: () => Response.json(body) } } });`,
]);
await waitUntilUp(`http://127.0.0.1:${bunPort}/`);

// Throughput depends on what else the machine runs; server CPU time per request does not.
const contender = (name: string, port: number, pid: number) => ({
  name,
  port,
  pid,
  rps: [] as number[],
  cpu: [] as number[],
  p99: [] as number[],
});
const nginxRuns = contender("nginx (1 worker)", nginxPort, nginx.worker);
const bunRuns = contender("bare Bun.serve", bunPort, bareBun.pid);
const demoRuns = contender("demo echo-server", demoPort, demo.pid);
const servers = [nginxRuns, bunRuns, demoRuns];
for (const { port } of servers) await wrk(`http://127.0.0.1:${port}/`, { seconds: 2 }); // warm-up (JIT)
const ratios = { demo: [] as number[], bun: [] as number[] };
for (let round = 0; round < rounds; round++) {
  for (const server of round % 2 ? [...servers].reverse() : servers) {
    const cpuBefore = cpuSeconds(server.pid);
    const result = await wrk(`http://127.0.0.1:${server.port}/`, { seconds });
    if (result.errors > 0) throw new Error(`${server.name}: ${result.errors} non-2xx answers`);
    server.cpu.push(
      ((cpuSeconds(server.pid) - cpuBefore) * 1e6) / (result.requestsPerSecond * seconds),
    );
    server.rps.push(result.requestsPerSecond);
    server.p99.push(result.p99Ms);
  }
  const last = (values: number[]) => values.at(-1) as number;
  ratios.demo.push(last(demoRuns.rps) / last(nginxRuns.rps));
  ratios.bun.push(last(bunRuns.rps) / last(nginxRuns.rps));
}
const peakRss = rssMegabytes(demo.pid);
demo.kill();
bareBun.kill();
nginx.stop();

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const range = (values: number[]) =>
  `${median(values).toFixed(2)} (rounds ${Math.min(...values).toFixed(2)}-${Math.max(...values).toFixed(2)})`;
console.log(
  `echo GET / with wrk -t1 -c50 -d${seconds}s, ${rounds} rounds each, alternating (median):`,
);
for (const { name, rps, p99, cpu } of servers)
  console.log(
    `  ${name.padEnd(17)} ${median(rps).toFixed(0).padStart(6)} req/s  p99 ${median(p99).toFixed(2)} ms  server CPU ${median(cpu).toFixed(1)} us/request`,
  );
console.log(`  demo/nginx  ${range(ratios.demo)} by throughput, ${(median(nginxRuns.cpu) / median(demoRuns.cpu)).toFixed(2)} by CPU per request  (goal >= 0.80)
  bare Bun.serve/nginx  ${range(ratios.bun)} by throughput
start-up to first /healthz 200: median ${median(startups).toFixed(1)} ms, max ${Math.max(...startups).toFixed(1)} ms (goal <= 50)
RSS: idle ${idleRss.toFixed(1)} MB after a /metrics scrape (goal < 50), after load ${peakRss.toFixed(1)} MB`);
