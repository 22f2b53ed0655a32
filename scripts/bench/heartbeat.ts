// Benchmark: heartbeat servers with 10,000 simulated clients per replica (3,333 heartbeats/s
// plus 500 metric reports/s each) for 60 s over loopback keep-alive HTTP. Reports p99 ingest
// latency (target < 5 ms), each server's own p99 (target < 1 ms) and peak RSS (< 200 MB),
// false LOST (must be 0), and how long after its last heartbeat a client that goes silent is
// declared LOST (9 to 10.5 s). With the Redis store (a redis-server started for the run), also
// the Redis commands per report, from INFO commandstats.
//   bun scripts/bench/heartbeat.ts                                   one replica, memory store
//   STORE=redis bun scripts/bench/heartbeat.ts                       one replica, Redis store
//   STORE=redis REPLICAS=2 CLIENTS=20000 bun scripts/bench/heartbeat.ts   two replicas
// With REPLICAS=2, load process i sends to replica i mod 2 (as keep-alive connections through
// a Service stay on one pod), so each replica takes half the beats and shares them.
// The server runs from source (`bun src/main.ts`), or BINARY=dist/demo-linux-x64 after
// scripts/build.sh x64. Knobs: CLIENTS (10000), SECONDS (60), WORKERS (2), LANES (64 requests
// in flight per load process), PORT (18190). On a shared machine run it as `nice -n -15 bun ...`.
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Redis } from "ioredis";
import { LocalRedis } from "../../src/testing/redis";
import { rssMegabytes, waitUntilUp } from "./wrk";

const root = resolve(import.meta.dir, "../..");
const clients = Number(process.env.CLIENTS ?? 10_000);
const seconds = Number(process.env.SECONDS ?? 60);
const workers = Number(process.env.WORKERS ?? 2);
const port = Number(process.env.PORT ?? 18_190);
const store = process.env.STORE ?? "memory";
const replicas = Number(process.env.REPLICAS ?? 1);
if (store !== "memory" && store !== "redis") throw new Error(`STORE=${store}: memory or redis`);
if (replicas > 1 && store !== "redis") throw new Error("REPLICAS > 1 needs STORE=redis");
const bases = Array.from({ length: replicas }, (_, i) => `http://127.0.0.1:${port + i}`);
const localRedis = store === "redis" ? await LocalRedis.start() : undefined;
const admin = localRedis && new Redis(localRedis.url);
/** Every command Redis has run so far (INFO commandstats), INFO itself left out. */
async function redisCalls() {
  if (!admin) return 0;
  const info = await admin.info("commandstats");
  let calls = 0;
  for (const [, name, n] of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm))
    if (name !== "info") calls += Number(n);
  return calls;
}
const token = "bench-token";
const HEARTBEAT_PERIOD = 3;
const METRICS_PERIOD = 20;

// Victims go silent one by one, early enough to be declared LOST before the run ends.
const victimTimes = [15, 22, 29, 36, 43].filter((t) => t + 12 < seconds);
const loadAverage = () => readFileSync("/proc/loadavg", "utf8").split(" ")[0];
const loadBefore = loadAverage();
const victims = victimTimes.map((t, i) => [
  Math.floor(((i + 0.5) * clients) / victimTimes.length),
  t * 1000,
]);

const binary = process.env.BINARY;
if (binary && !existsSync(binary))
  throw new Error(`BINARY=${binary} is missing: scripts/build.sh x64`);
const command = binary ? [resolve(binary)] : [process.execPath, resolve(root, "src/main.ts")];
const lostLines: Array<{ clientId: string; time: string }> = [];
const servers = bases.map((_, replica) => {
  const server = Bun.spawn([...command, "heartbeat-server"], {
    env: {
      PORT: String(port + replica),
      HEARTBEAT_TOKEN: token,
      HEARTBEAT_INTERVAL: String(HEARTBEAT_PERIOD),
      HEARTBEAT_STORE: store,
      REDIS_URL: localRedis?.url ?? "",
      LOG_FORMAT: "json",
      LOG_LEVEL: "warn",
      SHUTDOWN_DELAY_SECONDS: "0",
    },
    stdout: "pipe",
    stderr: "inherit",
  });
  (async () => {
    const reader = server.stdout.getReader();
    const decoder = new TextDecoder();
    let rest = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      const lines = (rest + decoder.decode(value, { stream: true })).split("\n");
      rest = lines.pop() ?? "";
      for (const line of lines)
        if (line.includes('"msg":"client lost"')) lostLines.push(JSON.parse(line));
    }
  })();
  return server;
});
for (const base of bases) await waitUntilUp(`${base}/healthz`);
const pids = servers.map((server) => server.pid).join(", ");
console.log(
  `servers: ${command.join(" ")} heartbeat-server x ${replicas} (pid ${pids}), ${store} store`,
);
console.log(
  `load: ${clients} clients, ${workers} worker processes, ${seconds} s; victims at ${victimTimes.join(", ")} s`,
);
const callsAtStart = await redisCalls();

const startAt = Date.now() + 500;
const load = Array.from({ length: workers }, (_, worker) =>
  Bun.spawn([process.execPath, resolve(import.meta.dir, "heartbeat-load.ts")], {
    env: {
      BASE_URL: bases[worker % replicas] as string,
      HEARTBEAT_TOKEN: token,
      WORKER: String(worker),
      WORKERS: String(workers),
      CLIENTS: String(clients),
      SECONDS: String(seconds),
      START_AT: String(startAt),
      HEARTBEAT_PERIOD: String(HEARTBEAT_PERIOD),
      METRICS_PERIOD: String(METRICS_PERIOD),
      VICTIMS: JSON.stringify(victims),
    },
    stdout: "pipe",
    stderr: "inherit",
  }),
);

/** CPU seconds (user + system) a process has used so far. */
function cpuSeconds(pid: number) {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks
}
const cpuAtStart = servers.map((server) => cpuSeconds(server.pid));
let loadCpu = 0;

const peakRss = servers.map(() => 0);
const sampler = setInterval(() => {
  servers.forEach((server, i) => {
    peakRss[i] = Math.max(peakRss[i] as number, rssMegabytes(server.pid));
  });
}, 1000);
const summaries = await Promise.all(
  load.map(async (process) => {
    const output = await new Response(process.stdout).text();
    loadCpu += Number(output.match(/"cpuSeconds":([\d.]+)/)?.[1] ?? 0);
    if ((await process.exited) !== 0) throw new Error(`a load worker failed:\n${output}`);
    return JSON.parse(output.trim().split("\n").at(-1) ?? "{}") as WorkerSummary;
  }),
);
clearInterval(sampler);
const redisCommands = (await redisCalls()) - callsAtStart;
const endRss = servers.map((server) => rssMegabytes(server.pid));
const serverCpu = servers.reduce(
  (t, server, i) => t + cpuSeconds(server.pid) - (cpuAtStart[i] as number),
  0,
);
const metricsTexts = await Promise.all(
  bases.map(async (base) => (await fetch(`${base}/metrics`)).text()),
);
for (const server of servers) server.kill("SIGTERM");
await Promise.all(servers.map((server) => server.exited));
admin?.disconnect();
await localRedis?.stop();

interface WorkerSummary {
  counts: {
    heartbeat: number;
    metrics: number;
    failed: number;
    refused: number;
    maxInFlight: number;
  };
  latency: { heartbeat: Array<[number, number]>; metrics: Array<[number, number]> };
  tickLag: Array<[number, number]>;
  queued: Array<[number, number]>;
  victims: Array<{ id: string; lastBeatAt: number }>;
}

/** Percentile in ms from merged 10 µs histograms. */
function percentile(parts: Array<Array<[number, number]>>, p: number) {
  const merged = new Map<number, number>();
  for (const part of parts)
    for (const [bucket, n] of part) merged.set(bucket, (merged.get(bucket) ?? 0) + n);
  const buckets = [...merged].sort((a, b) => a[0] - b[0]);
  const total = buckets.reduce((sum, [, n]) => sum + n, 0);
  let seen = 0;
  for (const [bucket, n] of buckets) {
    seen += n;
    if (seen >= total * p) return (bucket + 1) / 100;
  }
  return Number.NaN;
}

/** The server's own p99 of POST /heartbeat and /metrics: the upper bound of its bucket. */
function serverPercentile(text: string, p: number) {
  const buckets = new Map<number, number>();
  for (const [, labels = "", n] of text.matchAll(
    /http_request_duration_seconds_bucket\{([^}]*)\} (\d+)/g,
  )) {
    if (!/method="POST"/.test(labels) || !/route="\/(heartbeat|metrics)"/.test(labels)) continue;
    const le = labels.match(/le="([^"]+)"/)?.[1] ?? "+Inf";
    const bound = le === "+Inf" ? Number.POSITIVE_INFINITY : Number(le);
    buckets.set(bound, (buckets.get(bound) ?? 0) + Number(n));
  }
  const sorted = [...buckets].sort((a, b) => a[0] - b[0]);
  const total = sorted.at(-1)?.[1] ?? 0;
  return (sorted.find(([, n]) => n >= total * p)?.[0] ?? Number.NaN) * 1000;
}
const round = (value: number) => Math.round(value * 100) / 100;

const sum = (key: keyof WorkerSummary["counts"]) =>
  summaries.reduce((s, w) => s + w.counts[key], 0);
const all = [
  ...summaries.map((w) => w.latency.heartbeat),
  ...summaries.map((w) => w.latency.metrics),
];
const victimIds = new Set(summaries.flatMap((w) => w.victims.map((v) => v.id)));
const falseLost = lostLines.filter((line) => !victimIds.has(line.clientId));
const detections = summaries
  .flatMap((w) => w.victims)
  .map((victim) => {
    const lost = lostLines.find((line) => line.clientId === victim.id);
    return {
      id: victim.id,
      seconds: lost ? (Date.parse(lost.time) - victim.lastBeatAt) / 1000 : null,
    };
  });
const late = metricsTexts.reduce(
  (n, text) =>
    n + Number(text.match(/heartbeat_client_events_total\{event="late"\} (\d+)/)?.[1] ?? 0),
  0,
);
const detected = detections.map((d) => d.seconds).filter((s): s is number => s !== null);

/** A percentile over every worker's histogram of one kind. */
const merged = (pick: (w: WorkerSummary) => Array<[number, number]>, p: number) =>
  percentile(summaries.map(pick), p);

const reports = sum("heartbeat") + sum("metrics");
const result = {
  store,
  replicas,
  clients,
  heartbeatsPerSecond: Math.round(sum("heartbeat") / seconds),
  reportsPerSecond: Math.round(sum("metrics") / seconds),
  failedRequests: sum("failed"),
  refusedRequests: sum("refused"),
  p50Ms: percentile(all, 0.5),
  p99Ms: percentile(all, 0.99),
  p99HeartbeatMs: merged((w) => w.latency.heartbeat, 0.99),
  p99MetricsMs: merged((w) => w.latency.metrics, 0.99),
  maxMs: percentile(all, 1),
  // Where time went: the server's own handling (bucket bound), the load processes' timer
  // lateness and their queue (both rise when the machine is short of CPU).
  serverP99MsPerReplica: metricsTexts.map((text) => serverPercentile(text, 0.99)),
  loadTickLagP99Ms: merged((w) => w.tickLag, 0.99),
  loadQueuedP99Ms: merged((w) => w.queued, 0.99),
  serverCpuCores: round(serverCpu / seconds),
  // Robust to a busy machine: what each report costs the server, whatever else runs.
  serverCpuMicrosecondsPerReport: Math.round((serverCpu * 1e6) / reports),
  redisCommandsPerReport: admin ? round(redisCommands / reports) : null,
  loadCpuCores: round(loadCpu / seconds),
  peakRssMbPerReplica: peakRss.map(Math.round),
  endRssMbPerReplica: endRss.map(Math.round),
  falseLost: falseLost.length,
  lateEvents: late,
  lostDetectionSeconds: detections,
  machineLoadAverage: { before: Number(loadBefore), after: Number(loadAverage()) },
};
console.log(JSON.stringify(result, null, 2));

const verdicts = [
  ["p99 ingest latency < 5 ms", result.p99Ms < 5],
  ["server-side p99 < 1 ms on each replica", result.serverP99MsPerReplica.every((p) => p <= 1)],
  ["server RSS < 200 MB on each replica", result.peakRssMbPerReplica.every((mb) => mb < 200)],
  ["no false LOST", result.falseLost === 0],
  ["no failed or refused request", result.failedRequests + result.refusedRequests === 0],
  [
    "every silent client declared LOST 9-10.5 s after its last heartbeat",
    detected.length === detections.length && detected.every((s) => s >= 9 && s <= 10.5),
  ],
] as const;
for (const [what, ok] of verdicts) console.log(`${ok ? "PASS" : "FAIL"} ${what}`);
process.exit(verdicts.every(([, ok]) => ok) ? 0 : 1);
