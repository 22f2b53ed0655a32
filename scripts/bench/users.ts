// Benchmark: users GET /users/:id served from the Redis cache (HIT) against echo GET / and
// against the same read with the cache off (every read from MariaDB), with wrk, in one run;
// then the HIT latency at a fixed 5,000 req/s with oha (wrk cannot hold a fixed rate; vegeta
// can, but its own CPU use on 2 shared cores puts its p99 floor above 2 ms even for echo),
// next to echo and nginx at the same rate: the floor of this machine and load generator.
// Reads pick one of 1,000 users at random: reads of one id would be merged by single flight.
//   bun scripts/bench/users.ts   (runs scripts/build.sh x64 if needed; needs wrk,
//   nginx, mariadb-server and redis-server: see scripts/tools.sh; and oha, a Rust load generator:
//   cargo install oha@1.16.0 --locked, about 10 minutes on 2 cores)
import { existsSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { GET_BODY } from "../../src/echo/server";
import { LocalMySql } from "../../src/testing/mysql-servers";
import { freePort } from "../../src/testing/processes";
import { LocalRedis } from "../../src/testing/redis";
import { tempDir } from "../../src/testing/server-process";
import { startNginx } from "./nginx";
import { waitUntilUp, wrk } from "./wrk";

const root = resolve(import.meta.dir, "../..");
const binary = resolve(root, "dist/demo-linux-x64");
const rounds = Number(process.env.ROUNDS ?? 3);
const seconds = Number(process.env.SECONDS ?? 10);
const rate = Number(process.env.RATE ?? 5000);
const fixedRounds = Number(process.env.FIXED_ROUNDS ?? 3);
const nginxPort = 18191;
const userCount = 1000;
// Three digits each, so that oha's URL pattern user-[0-9]{3} picks every user equally often.
const ids = Array.from({ length: userCount }, (_, i) => `user-${String(i).padStart(3, "0")}`);
const dir = tempDir("bench-users");
// wrk: a random user per request.
const randomUser = join(dir, "random-user.lua");
writeFileSync(
  randomUser,
  `math.randomseed(os.time())
request = function() return wrk.format("GET", string.format("/users/user-%03d", math.random(0, ${userCount - 1}))) end
`,
);

const oha = Bun.which("oha", { PATH: `${process.env.PATH}:${process.env.HOME}/.cargo/bin` });
if (!oha) throw new Error("oha not found: cargo install oha@1.16.0 --locked");
if (!Bun.which("wrk")) throw new Error("wrk not found: apt-get install -y wrk");
if (!existsSync(binary)) {
  const build = Bun.spawnSync(["bash", "scripts/build.sh", "x64"], {
    cwd: root,
    stderr: "inherit",
  });
  if (build.exitCode !== 0) throw new Error("scripts/build.sh x64 failed");
}

const [mariadb, redis] = await Promise.all([LocalMySql.start("mariadb"), LocalRedis.start()]);
const mysqlUrl = await mariadb.createDatabase();
const servers: Array<ReturnType<typeof Bun.spawn>> = [];
async function serve(command: string, env: Record<string, string>) {
  const port = await freePort();
  servers.push(
    Bun.spawn([binary, command], {
      env: { ...env, PORT: String(port), LOG_LEVEL: "warn" },
      stdout: "inherit",
      stderr: "inherit",
    }),
  );
  const base = `http://127.0.0.1:${port}`;
  await waitUntilUp(`${base}/readyz`, 30_000);
  return base;
}

try {
  const echo = await serve("echo-server", {});
  // A long TTL: the entry must stay cached through every round.
  const cached = await serve("users-server", {
    MYSQL_URL: mysqlUrl,
    REDIS_URL: redis.url,
    CACHE_TTL_SECONDS: "3600",
  });
  const uncached = await serve("users-server", { MYSQL_URL: mysqlUrl, CACHE_TTL_SECONDS: "0" });

  await Promise.all(
    ids.map(async (id) => {
      const body = JSON.stringify({ id, name: `User ${id}`, email: `${id}@example.com` });
      const created = await fetch(`${cached}/users`, { method: "POST", body });
      if (created.status !== 201)
        throw new Error(`POST /users: ${created.status} ${await created.text()}`);
    }),
  );
  // Every user read once through the cached server: from now on its reads are all HITs.
  for (const [base, expected] of [
    [cached, "MISS"],
    [cached, "HIT"],
    [uncached, "BYPASS"],
  ] as const) {
    for (const id of ids) {
      const read = await fetch(`${base}/users/${id}`);
      if (read.headers.get("x-cache") !== expected)
        throw new Error(
          `${base}/users/${id}: X-Cache ${read.headers.get("x-cache")}, expected ${expected}`,
        );
    }
  }
  const hitsBefore = await lookups(cached);

  const targets = {
    "echo GET /": [`${echo}/`, ""],
    "users GET /users/:id HIT": [cached, randomUser],
    "users GET /users/:id cache off": [uncached, randomUser],
  } as const;
  for (const [url, script] of Object.values(targets)) await wrk(url, { seconds: 2, script }); // warm-up (JIT)
  const rps: Record<string, number[]> = Object.fromEntries(
    Object.keys(targets).map((n) => [n, []]),
  );
  const p99: Record<string, number[]> = Object.fromEntries(
    Object.keys(targets).map((n) => [n, []]),
  );
  for (let round = 0; round < rounds; round++) {
    for (const [name, [url, script]] of Object.entries(targets)) {
      const result = await wrk(url, { seconds, script });
      if (result.errors > 0) throw new Error(`${name}: ${result.errors} non-2xx answers`);
      rps[name]?.push(result.requestsPerSecond);
      p99[name]?.push(result.p99Ms);
    }
  }
  const hits = await lookups(cached);
  // The fixed rate, in alternating rounds like the rest: this machine's latency floor drifts
  // by milliseconds within minutes. Echo and nginx at the same rate show that floor.
  // oha takes a URL pattern; the dots of 127.0.0.1 must not match any character.
  const nginx = await startNginx(nginxPort, JSON.stringify(GET_BODY));
  const fixedTargets = {
    "users HIT": `${cached.replaceAll(".", "[.]")}/users/user-[0-9]{3}`,
    "echo GET /": `${echo.replaceAll(".", "[.]")}/`,
    "nginx GET /": `http://127[.]0[.]0[.]1:${nginxPort}/`,
  };
  const fixed = Object.fromEntries(
    Object.keys(fixedTargets).map((name): [string, FixedRateResult[]] => [name, []]),
  );
  try {
    for (let round = 0; round < fixedRounds; round++)
      for (const [name, pattern] of Object.entries(fixedTargets))
        fixed[name]?.push(await fixedRate(pattern));
  } finally {
    nginx.stop();
  }

  const median = (values: number[] = []) =>
    [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  const [echoRps = 0, hitRps = 0, offRps = 0] = Object.keys(targets).map((name) =>
    median(rps[name]),
  );
  console.log(
    `\nwrk -t1 -c50 -d${seconds}s, ${rounds} rounds each (median); load average ${loadAverage()}`,
  );
  console.log("| target | req/s | p99 ms |\n|---|---:|---:|");
  for (const name of Object.keys(targets))
    console.log(`| ${name} | ${median(rps[name]).toFixed(0)} | ${median(p99[name]).toFixed(2)} |`);
  const misses = hits.miss - hitsBefore.miss + hits.bypass - hitsBefore.bypass;
  console.log(
    `\n${hits.hit - hitsBefore.hit} cache hits and ${misses} misses or bypasses in the HIT runs`,
  );
  console.log(`\n| goal | measured | target | |\n|---|---:|---:|---|`);
  const row = (goal: string, value: number, target: string, ok: boolean, unit = "") =>
    console.log(`| ${goal} | ${value.toFixed(2)}${unit} | ${target} | ${ok ? "ok" : "MISSED"} |`);
  row("HIT vs echo GET / throughput", hitRps / echoRps, ">= 0.4x", hitRps / echoRps >= 0.4, "x");
  row("HIT vs cache off throughput", hitRps / offRps, ">= 3x", hitRps / offRps >= 3, "x");
  const hitP99 = median(fixed["users HIT"]?.map((result) => result.p99Ms));
  const allOk = Object.values(fixed).every((results) => results.every((r) => r.ok));
  row(
    `HIT p99 at ${rate} req/s (oha, median of ${fixedRounds})`,
    hitP99,
    "< 2 ms",
    hitP99 < 2 && allOk,
    " ms",
  );
  console.log(
    `\noha at ${rate} req/s, ${fixedRounds} alternating rounds of ${seconds} s (median; p99 of each round)`,
  );
  for (const [name, results] of Object.entries(fixed)) {
    const of = (pick: (result: FixedRateResult) => number) => median(results.map(pick)).toFixed(2);
    console.log(
      `  ${name.padEnd(11)} p50 ${of((r) => r.p50Ms)} ms, p90 ${of((r) => r.p90Ms)} ms, p99 ${of((r) => r.p99Ms)} ms (${results.map((r) => r.p99Ms.toFixed(1)).join(", ")}), max ${of((r) => r.maxMs)} ms${results.every((r) => r.ok) ? "" : ", NOT all answered 200"}`,
    );
  }
} finally {
  for (const server of servers) server.kill("SIGKILL");
  await Promise.all(servers.map((server) => server.exited));
  await Promise.all([mariadb.stop(), redis.stop()]);
}

/** Cache lookups so far by result, from the server's own metrics. */
async function lookups(base: string) {
  const metrics = await (await fetch(`${base}/metrics`)).text();
  const count = (result: string) =>
    Number(
      metrics.match(new RegExp(`users_cache_lookups_total\\{result="${result}"\\} (\\d+)`))?.[1] ??
        0,
    );
  return { hit: count("hit"), miss: count("miss"), bypass: count("bypass") };
}

interface FixedRateResult {
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Every request answered, all with 200. */
  ok: boolean;
}

/**
 * oha at a fixed rate, with each latency counted from the moment its request was due
 * (--latency-correction): a slow answer cannot hide the ones queued behind it.
 */
async function fixedRate(urlPattern: string): Promise<FixedRateResult> {
  const run = Bun.spawn(
    [
      oha as string,
      "-z",
      `${seconds}s`,
      "-q",
      String(rate),
      "-c",
      "50",
      "--latency-correction",
      "--no-tui",
      "--output-format",
      "json",
      "--rand-regex-url",
      urlPattern,
    ],
    { stdout: "pipe", stderr: "inherit" },
  );
  const result = JSON.parse(await new Response(run.stdout).text());
  if ((await run.exited) !== 0) throw new Error(`oha failed on ${urlPattern}`);
  const ms = (s: number) => s * 1000;
  const answers = Object.values(result.statusCodeDistribution as Record<string, number>);
  const all200 = result.statusCodeDistribution["200"] === answers.reduce((a, b) => a + b, 0);
  // Failures (timeouts of an overloaded machine) are reported with the numbers, not thrown.
  return {
    p50Ms: ms(result.latencyPercentiles.p50),
    p90Ms: ms(result.latencyPercentiles.p90),
    p99Ms: ms(result.latencyPercentiles.p99),
    maxMs: ms(result.summary.slowest),
    ok: all200 && result.summary.successRate === 1,
  };
}

function loadAverage() {
  return require("node:fs").readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
}
