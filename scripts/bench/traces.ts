// Benchmark: what traces cost. echo GET / and users GET /users/:id (Redis HIT) with wrk, each
// served four ways in the same run, in alternating rounds: by a build without the tracing code
// (scripts/build.sh with DEMO_NO_TRACING=1: the reference), by the release build with traces
// off (no endpoint: the goal is at most 2% below the reference), and by the release build
// exporting to a real Jaeger on this machine (src/testing/jaeger.ts) with 100% and 10% of
// traces sampled. Jaeger shares the 2 cores with wrk and the server: the sampled rows include
// the collector's own work, as a collector beside the pods would.
//   bun scripts/bench/traces.ts   (needs wrk, mariadb-server, redis-server and Jaeger:
//   scripts/tools.sh; builds both binaries)
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { startJaeger } from "../../src/testing/jaeger";
import { LocalMySql } from "../../src/testing/mysql-servers";
import { LocalRedis } from "../../src/testing/redis";
import { tempDir } from "../../src/testing/server-process";
import { binary, binaryServers } from "./binary";
import { wrk } from "./wrk";

const rounds = Number(process.env.ROUNDS ?? 5);
const seconds = Number(process.env.SECONDS ?? 3);
const root = resolve(import.meta.dir, "../..");
const reference = `${binary}-no-tracing`;
for (const env of [{}, { DEMO_NO_TRACING: "1" }]) {
  const build = Bun.spawnSync(["bash", "scripts/build.sh", "x64"], {
    cwd: root,
    env: { ...process.env, ...env },
    stderr: "inherit",
  });
  if (build.exitCode !== 0) throw new Error("scripts/build.sh x64 failed");
}

const userCount = 1000;
const randomUser = join(tempDir("bench-traces"), "random-user.lua");
writeFileSync(
  randomUser,
  `math.randomseed(os.time())
request = function() return wrk.format("GET", string.format("/users/user-%03d", math.random(0, ${userCount - 1}))) end
`,
);

const [mariadb, redis, jaeger] = await Promise.all([
  LocalMySql.start("mariadb"),
  LocalRedis.start(),
  startJaeger(),
]);
const mysqlUrl = await mariadb.createDatabase();
const { serve, stop } = binaryServers();
const ways = {
  "no tracing code": [{}, reference],
  "compiled in, off": [{}, binary],
  "100% to Jaeger": [
    { OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlp, OTEL_TRACES_SAMPLER: "always_on" },
    binary,
  ],
  "10% to Jaeger": [
    {
      OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlp,
      OTEL_TRACES_SAMPLER: "traceidratio",
      OTEL_TRACES_SAMPLER_ARG: "0.1",
    },
    binary,
  ],
} as const;

try {
  const users = { MYSQL_URL: mysqlUrl, REDIS_URL: redis.url, CACHE_TTL_SECONDS: "3600" };
  const targets: { name: string; url: string; script: string }[] = [];
  for (const [way, [env, executable]] of Object.entries(ways)) {
    targets.push({
      name: `echo, ${way}`,
      url: `${await serve("echo-server", env, executable)}/`,
      script: "",
    });
    const base = await serve("users-server", { ...users, ...env }, executable);
    targets.push({ name: `users HIT, ${way}`, url: base, script: randomUser });
    if (way === "no tracing code")
      for (let i = 0; i < userCount; i++) {
        const id = `user-${String(i).padStart(3, "0")}`;
        const body = JSON.stringify({ id, name: `User ${id}`, email: `${id}@example.com` });
        const created = await fetch(`${base}/users`, { method: "POST", body });
        if (created.status !== 201) throw new Error(`POST /users: ${created.status}`);
      }
  }
  // Every user read once by each users server: from now on their reads are all HITs (the
  // near cache is per process: each server warms its own).
  for (const { url, name } of targets.filter((t) => t.script))
    for (let i = 0; i < userCount; i++) {
      const read = await fetch(`${url}/users/user-${String(i).padStart(3, "0")}`);
      if (read.status !== 200) throw new Error(`${name}: ${read.status}`);
    }
  for (const { url, script } of targets) await wrk(url, { seconds: 2, script }); // warm-up (JIT)
  const rps = new Map(targets.map((t) => [t.name, [] as number[]]));
  for (let round = 0; round < rounds; round++)
    for (const { name, url, script } of round % 2 ? [...targets].reverse() : targets) {
      const result = await wrk(url, { seconds, script });
      if (result.errors > 0) throw new Error(`${name}: ${result.errors} non-2xx answers`);
      rps.get(name)?.push(result.requestsPerSecond);
    }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1] ?? 0;
  console.log(
    `wrk -t1 -c50 -d${seconds}s, ${rounds} rounds each, alternating (median req/s; ratio to the build without tracing code, per round, median)`,
  );
  for (const system of ["echo", "users HIT"]) {
    const base = rps.get(`${system}, no tracing code`) ?? [];
    for (const way of Object.keys(ways)) {
      const runs = rps.get(`${system}, ${way}`) ?? [];
      const ratio = median(runs.map((value, i) => value / (base[i] ?? Number.NaN)));
      console.log(
        `  ${`${system}, ${way}`.padEnd(34)} ${String(Math.round(median(runs))).padStart(6)} req/s  ${ratio.toFixed(3)}${way === "compiled in, off" ? "  (goal >= 0.98)" : ""}`,
      );
    }
  }
} finally {
  await stop();
  await Promise.all([jaeger.stop(), mariadb.stop(), redis.stop()]);
}
