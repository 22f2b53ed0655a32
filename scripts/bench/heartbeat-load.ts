// One load-generator process of the heartbeat benchmark (scripts/bench/heartbeat.ts starts a
// few): it plays its share of the simulated clients, each beating every HEARTBEAT_PERIOD and
// reporting metrics every METRICS_PERIOD at evenly spread phases, over keep-alive HTTP. Some
// clients are "victims" that go silent at a given time. Prints one JSON summary line at the end.
import { randomUUID } from "node:crypto";

const env = (name: string) => {
  const value = process.env[name];
  if (value === undefined)
    throw new Error(`${name} is not set (started by scripts/bench/heartbeat.ts)`);
  return value;
};
const base = env("BASE_URL");
const token = env("HEARTBEAT_TOKEN");
const worker = Number(env("WORKER"));
const workers = Number(env("WORKERS"));
const total = Number(env("CLIENTS"));
const durationMs = Number(env("SECONDS")) * 1000;
const startAt = Number(env("START_AT")); // epoch ms shared by all workers
const beatPeriod = Number(env("HEARTBEAT_PERIOD")) * 1000;
const metricsPeriod = Number(env("METRICS_PERIOD")) * 1000;
const victims = new Map<number, number>(JSON.parse(env("VICTIMS")) as Array<[number, number]>);

interface Sim {
  index: number;
  id: string;
  bootId: string;
  seq: number;
  silentFrom: number; // ms after start; Infinity for a client that never stops
  lastBeatAt: number; // epoch ms of its last acknowledged beat
}
const sims: Sim[] = [];
for (let index = worker; index < total; index += workers) {
  sims.push({
    index,
    id: `sim-${index}`,
    bootId: randomUUID(),
    seq: 0,
    silentFrom: victims.get(index) ?? Number.POSITIVE_INFINITY,
    lastBeatAt: 0,
  });
}

/** Latency histogram in 10 µs buckets up to 1 s (the last bucket holds everything slower). */
const histogram = () => new Uint32Array(100_001);
const latency = { heartbeat: histogram(), metrics: histogram() };
const queued = histogram();
const counts = { heartbeat: 0, metrics: 0, failed: 0, refused: 0, maxInFlight: 0 };
let inFlight = 0;
const headers = { "content-type": "application/json", authorization: `Bearer ${token}` };

const record = (buckets: Uint32Array, ms: number) => {
  const bucket = Math.min(100_000, Math.floor(ms * 100));
  buckets[bucket] = (buckets[bucket] ?? 0) + 1;
};

// At most LANES requests in flight, each lane reusing its keep-alive connection: unbounded
// bursts made the runtime open (and later close) extra sockets, measuring TCP set-up instead.
const LANES = Number(process.env.LANES ?? 64);
const waiting: Array<() => Promise<void>> = [];
function enqueue(kind: "heartbeat" | "metrics", sim: Sim, body: object) {
  const dueAt = performance.now();
  const job = () => {
    record(queued, performance.now() - dueAt);
    return send(kind, sim, body);
  };
  if (inFlight < LANES) job();
  else waiting.push(job);
}

async function send(kind: "heartbeat" | "metrics", sim: Sim, body: object) {
  const sentAt = Date.now();
  const started = performance.now();
  inFlight += 1;
  counts.maxInFlight = Math.max(counts.maxInFlight, inFlight);
  try {
    const response = await fetch(`${base}/${kind}`, {
      method: "POST",
      headers,
      body: JSON.stringify(body),
    });
    await response.arrayBuffer();
    record(latency[kind], performance.now() - started);
    counts[kind] += 1;
    if (!response.ok) counts.refused += 1;
    else if (kind === "heartbeat") sim.lastBeatAt = sentAt;
  } catch {
    counts.failed += 1;
  } finally {
    inFlight -= 1;
    waiting.shift()?.();
  }
}

const usage = (i: number) => ({
  node: { cpuPercent: (i * 7) % 100, memoryUsedBytes: 2e9 + i, memoryTotalBytes: 8e9 },
  container: {
    cgroup: "v2",
    cpuPercent: (i * 3) % 200,
    memoryBytes: 5e7 + i,
    memoryLimitBytes: 2.68e8,
  },
});

/**
 * Every client has its own phase, spread evenly over the period, so a cursor walking the
 * clients in order (each due time then moving one period on) finds every due event.
 */
function schedule(period: number, fire: (sim: Sim, elapsed: number) => void) {
  const due = sims.map((sim) => (sim.index / total) * period);
  let cursor = 0;
  return (elapsed: number) => {
    while ((due[cursor] as number) <= elapsed) {
      fire(sims[cursor] as Sim, elapsed);
      due[cursor] = (due[cursor] as number) + period;
      cursor = (cursor + 1) % sims.length;
    }
  };
}

const beats = schedule(beatPeriod, (sim, elapsed) => {
  if (elapsed >= sim.silentFrom) return;
  sim.seq += 1;
  enqueue("heartbeat", sim, {
    clientId: sim.id,
    bootId: sim.bootId,
    seq: sim.seq,
    sentAt: Date.now(),
    intervalSeconds: beatPeriod / 1000,
  });
});
const reports = schedule(metricsPeriod, (sim, elapsed) => {
  if (elapsed >= sim.silentFrom) return;
  enqueue("metrics", sim, {
    clientId: sim.id,
    bootId: sim.bootId,
    sentAt: Date.now(),
    ...usage(sim.index),
  });
});

await Bun.sleep(Math.max(0, startAt - Date.now()));
const started = performance.now();
// How late this process's own ticks run: latency it adds itself when short of CPU.
const lag = histogram();
let lastTick = started;
await new Promise<void>((done) => {
  const timer = setInterval(() => {
    const now = performance.now();
    const late = Math.min(100_000, Math.floor(Math.max(0, now - lastTick - 2) * 100));
    lag[late] = (lag[late] ?? 0) + 1;
    lastTick = now;
    const elapsed = now - started;
    if (elapsed >= durationMs) {
      clearInterval(timer);
      return done();
    }
    beats(elapsed);
    reports(elapsed);
  }, 2);
});
while (inFlight > 0 || waiting.length > 0) await Bun.sleep(5);

const sparse = (h: Uint32Array) => [...h.entries()].filter(([, n]) => n > 0);
console.log(
  JSON.stringify({
    worker,
    counts,
    cpuSeconds: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
    latency: { heartbeat: sparse(latency.heartbeat), metrics: sparse(latency.metrics) },
    tickLag: sparse(lag),
    queued: sparse(queued),
    victims: sims
      .filter((s) => victims.has(s.index))
      .map((s) => ({ id: s.id, lastBeatAt: s.lastBeatAt })),
  }),
);
