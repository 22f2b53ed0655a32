// The Redis store against a real Redis, with heartbeat servers as real processes: two
// replicas share the clients (beats spread over both), one sweeper at a time, each LOST
// logged once; the sweeper killed: no false LOST, the lost clients kept; every server
// down and back: it reports every client it knew, the one that died meanwhile included;
// Redis down: beats still taken, degraded said, nobody declared LOST, the lease's end said
// alike in /healthz and /metrics. A new server with no client is not degraded before its
// first beat; a graceful stop logs no outage. A return both replicas take at once (a thawed
// node) is logged and counted once.
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { resolve } from "node:path";
import { recordingLogger } from "../testing/logger";
import { freePort, type Running, start, waitForHttp } from "../testing/processes";
import { LocalRedis } from "../testing/redis";
import { createRedisStore, type RedisStore } from "./redis-store";
import { type ClientEvent, Registry } from "./registry";

setDefaultTimeout(60_000);

const main = resolve(import.meta.dir, "../main.ts");
const TOKEN = "redis-store-test-token";
const INTERVAL_MS = 1000; // LOST after 3.25 s: room for the store's 100 ms flushes on a busy machine
const redis = await LocalRedis.start();
const running = new Set<Running>();
afterAll(async () => {
  clearInterval(beating);
  for (const server of running) server.process.kill("SIGKILL");
  await redis.stop();
});

interface Server {
  name: string;
  url: string;
  process: Running;
}

async function startServer(
  name: string,
  { prefix = "test:", shutdownDelaySeconds = 0 } = {},
): Promise<Server> {
  const port = await freePort();
  const process = start([Bun.argv[0] ?? "bun", main, "heartbeat-server"], {
    PORT: String(port),
    HEARTBEAT_TOKEN: TOKEN,
    HEARTBEAT_INTERVAL: String(INTERVAL_MS / 1000),
    HEARTBEAT_LOST_REPEAT: "2",
    HEARTBEAT_STORE: "redis",
    REDIS_URL: redis.url,
    HEARTBEAT_REDIS_PREFIX: prefix,
    SHUTDOWN_DELAY_SECONDS: String(shutdownDelaySeconds),
  });
  running.add(process);
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/readyz`); // ready: the clients kept in Redis are read
  return { name, url, process };
}

// Simulated clients, as the Service would route them: each beat goes to a live server,
// client i to server i mod n, so both replicas get beats.
const ids = Array.from({ length: 12 }, (_, i) => `client-${String(i).padStart(2, "0")}`);
const silent = new Set<string>();
let servers: Server[] = [];
let beats = 0;
const seq = new Map<string, number>();
const sendBeats = () =>
  ids.forEach((clientId, i) => {
    const server = servers[i % servers.length];
    if (silent.has(clientId) || !server) return;
    const next = (seq.get(clientId) ?? 0) + 1;
    seq.set(clientId, next);
    fetch(`${server.url}/heartbeat`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({
        clientId,
        bootId: "boot-1",
        seq: next,
        sentAt: Date.now(),
        intervalSeconds: INTERVAL_MS / 1000,
      }),
    })
      .then((answer) => {
        if (answer.ok) beats += 1;
      })
      .catch(() => {}); // a server just killed: the next beat goes to another
  });
const beating = setInterval(sendBeats, INTERVAL_MS / 2);

/** Polls `condition` until it holds. */
async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`not true within ${timeoutMs} ms: ${condition}`);
    await Bun.sleep(100);
  }
}

const json = async (url: string) => (await fetch(url)).json();
type View = { clientId: string; state: string; lastSeenAgeSeconds: number };
const clientsOf = async (server: Server): Promise<View[]> =>
  (await json(`${server.url}/clients`)).clients;
const stateOf = async (server: Server, id: string) =>
  (await clientsOf(server)).find((c) => c.clientId === id)?.state;
const sweepers = async (list: Server[]) =>
  (await Promise.all(list.map(async (s) => (await json(`${s.url}/healthz`)).sweeper))).filter(
    Boolean,
  ).length;
/** Every server log line ever written (killed servers included) with message `msg`. */
const logged = (msg: string, clientId?: string) =>
  [...running]
    .flatMap((server) => server.lines)
    .filter((line) => line.includes(`"msg":"${msg}"`))
    .filter((line) => !clientId || line.includes(`"clientId":"${clientId}"`));

describe("heartbeat Redis store, one new server", () => {
  let server: Server;

  test("Redis up, no client yet: not degraded once the (empty) load worked", async () => {
    // Nothing kept under this prefix. A shutdown delay as in the chart: the store is closed
    // (its last changes written, the lease handed over) before the process exits.
    server = await startServer("empty", { prefix: "empty:", shutdownDelaySeconds: 1 });
    // Before the first beat too (none comes): no false HeartbeatStoreDegraded on every start.
    await until(async () => (await json(`${server.url}/healthz`)).store === "redis", 15_000);
    expect(await (await fetch(`${server.url}/metrics`)).text()).toContain(
      "heartbeat_store_degraded 0",
    );
  });

  test("a graceful stop logs no Redis outage", async () => {
    expect(await server.process.stop("SIGTERM")).toBe(0);
    expect(server.process.lines.filter((line) => line.includes('"level":"warn"'))).toEqual([]);
    expect(server.process.lines.some((line) => line.includes('"msg":"stopped"'))).toBe(true);
  });
});

describe("heartbeat Redis store, two replicas", () => {
  test("both replicas show every client, whichever replica took its beats; one sweeper", async () => {
    servers = [await startServer("a"), await startServer("b")];
    for (const server of servers)
      await until(
        async () => (await clientsOf(server)).filter((c) => c.state === "UP").length === ids.length,
      );
    await until(async () => (await sweepers(servers)) === 1);
  });

  test("the dashboard's live stream on one replica shows a client that beats on the other", async () => {
    const [a, b] = servers as [Server, Server];
    const stream = await fetch(`${b.url}/events`);
    const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    await fetch(`${a.url}/heartbeat`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ clientId: "streamed", bootId: "b", seq: 1, sentAt: Date.now() }),
    });
    let text = "";
    while (!/event: update\ndata: .*"clientId":"streamed"/.test(text))
      text += decoder.decode((await reader.read()).value);
    await reader.cancel();
    // Said goodbye at once: LEFT, never LOST below.
    await fetch(`${a.url}/goodbye`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ clientId: "streamed", bootId: "b", sentAt: Date.now() }),
    });
  });

  test("a silent client is declared LOST once across replicas, its repeats once each", async () => {
    silent.add("client-11");
    for (const server of servers)
      await until(async () => (await stateOf(server, "client-11")) === "LOST");
    await until(() => logged("client still lost", "client-11").length >= 2);
    expect(logged("client lost", "client-11")).toHaveLength(1);
    // Counted once too: the sum over the replicas' counters.
    const counted = await Promise.all(
      servers.map(async (s) => {
        const text = await (await fetch(`${s.url}/metrics`)).text();
        return Number(text.match(/heartbeat_client_events_total\{event="lost"\} (\d+)/)?.[1] ?? 0);
      }),
    );
    expect(counted.reduce((a, b) => a + b, 0)).toBe(1);
    const repeats = logged("client still lost", "client-11").map((line) =>
      Date.parse(JSON.parse(line).time),
    );
    for (let i = 1; i < repeats.length; i++)
      expect((repeats[i] as number) - (repeats[i - 1] as number)).toBeGreaterThan(1500);
  });

  test("the sweeper killed: the other takes over, no false LOST, the lost client kept", async () => {
    const results = await Promise.all(
      servers.map(async (s) => (await json(`${s.url}/healthz`)).sweeper),
    );
    const victim = servers[results.indexOf(true)] as Server;
    const survivor = servers[results.indexOf(false)] as Server;
    victim.process.process.kill("SIGKILL");
    servers = [survivor];
    await until(async () => (await sweepers([survivor])) === 1);
    // It judges: a repeat for the lost client comes from it after the takeover.
    const before = survivor.process.lines.length;
    await until(() =>
      survivor.process.lines
        .slice(before)
        .some((line) => line.includes('"msg":"client still lost"')),
    );
    expect(await stateOf(survivor, "client-11")).toBe("LOST");
    const lost = logged("client lost").map((line) => JSON.parse(line).clientId);
    expect(lost).toEqual(["client-11"]);
  });

  test("every server down, one client dying meanwhile: a new server reports it, and declares it LOST", async () => {
    const [last] = servers;
    servers = [];
    await last?.process.stop("SIGTERM");
    silent.add("client-10");
    const fresh = await startServer("c");
    // Right at start, from Redis: every client it never heard from itself, the LOST one too.
    const known = await clientsOf(fresh);
    expect(known.map((c) => c.clientId)).toEqual([...ids, "streamed"]);
    expect(known.find((c) => c.clientId === "streamed")?.state).toBe("LEFT");
    expect(known.find((c) => c.clientId === "client-11")?.state).toBe("LOST");
    servers = [fresh];
    await until(async () => (await stateOf(fresh, "client-10")) === "LOST");
    expect(logged("client lost", "client-10")).toHaveLength(1);
    expect(
      logged("client lost")
        .map((line) => JSON.parse(line).clientId)
        .sort(),
    ).toEqual(["client-10", "client-11"]);
  });

  test("Redis down: beats still taken, degraded said, nobody declared LOST; back: judged again", async () => {
    const [server] = servers as [Server];
    await redis.stop();
    await until(async () => (await json(`${server.url}/healthz`)).store.startsWith("degraded"));
    expect(await (await fetch(`${server.url}/metrics`)).text()).toContain(
      "heartbeat_store_degraded 1",
    );
    // Its lease runs out unrenewed: the metrics say so as /healthz does, from one source.
    await until(async () => (await json(`${server.url}/healthz`)).sweeper === false);
    expect(await (await fetch(`${server.url}/metrics`)).text()).toContain("heartbeat_sweeper 0");
    silent.add("client-09");
    const taken = beats;
    // Silent for longer than LOST takes (3.25 s), by the server's clock: still not LOST.
    await until(async () => {
      const view = (await clientsOf(server)).find((c) => c.clientId === "client-09") as View;
      expect(view.state).not.toBe("LOST");
      return view.lastSeenAgeSeconds > 5;
    });
    expect(beats).toBeGreaterThan(taken);
    expect(logged("client lost", "client-09")).toEqual([]);

    await redis.start();
    await until(async () => (await json(`${server.url}/healthz`)).store === "redis");
    await until(async () => (await stateOf(server, "client-09")) === "LOST");
    const lost = logged("client lost")
      .map((line) => JSON.parse(line).clientId)
      .sort();
    expect(lost).toEqual(["client-09", "client-10", "client-11"]);
  });
});

describe("heartbeat Redis store, a replica stopping", () => {
  test("a goodbye taken during its shutdown delay still reaches the other replica", async () => {
    const leaving = await startServer("leaving", { prefix: "stop:", shutdownDelaySeconds: 3 });
    const staying = await startServer("staying", { prefix: "stop:" });
    const report = (path: string, body: object) =>
      fetch(`${leaving.url}${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({
          clientId: "evicted",
          bootId: "boot-e",
          sentAt: Date.now(),
          ...body,
        }),
      });
    expect((await report("/heartbeat", { seq: 1, intervalSeconds: 60 })).status).toBe(200);
    await until(async () => (await stateOf(staying, "evicted")) === "UP");
    // A drained node: the Service still routes to the pod during its shutdown delay.
    const stopped = leaving.process.stop("SIGTERM");
    await until(async () => (await fetch(`${leaving.url}/readyz`)).status === 503);
    expect(await (await report("/goodbye", {})).json()).toMatchObject({ event: "left" });
    await until(async () => (await stateOf(staying, "evicted")) === "LEFT", 10_000);
    expect(await stopped).toBe(0);
  });
});

describe("heartbeat Redis store, a return both replicas take at once", () => {
  test("a lost client's beats reaching both replicas before either has the other's record: one 'client reconnected', counted once", async () => {
    // In one process, so both replicas take the beat in the same tick, as a thawed node's
    // client can (neither has the other's record yet): the race made certain.
    const clock = { t: 1_000_000 };
    const stop = new AbortController();
    const replica = () => {
      const log = recordingLogger(() => clock.t);
      const events: ClientEvent[] = [];
      let store: RedisStore | undefined;
      const registry = new Registry({
        intervalMs: INTERVAL_MS,
        now: () => clock.t,
        log,
        onChange: (id) => store?.changed(id),
        onEvent: (event) => events.push(event),
      });
      store = createRedisStore(registry, {
        url: redis.url,
        prefix: "return:",
        log,
        intervalMs: INTERVAL_MS,
        signal: stop.signal,
      });
      return { registry, store, log, events };
    };
    const pair = [replica(), replica()] as const;
    try {
      await until(() => pair.every((r) => !r.store.degraded));
      const beat = (r: (typeof pair)[number], seq: number) =>
        r.registry.beat({ clientId: "thawed", bootId: "boot-t", seq, sentAt: clock.t });
      beat(pair[0], 1);
      await until(() => pair[1].registry.clients.get("thawed")?.state === "UP");
      clock.t += 10 * INTERVAL_MS; // past the start's grace and three missed beats
      pair[0].registry.sweep();
      await until(() => pair[1].registry.clients.get("thawed")?.state === "LOST");

      const acks = [beat(pair[0], 2), beat(pair[1], 3)];
      expect(acks.map((ack) => ack.event)).toEqual(["reconnected", "reconnected"]);
      const said = (r: (typeof pair)[number]) =>
        r.log.entries.filter((e) => e.msg.startsWith("client reconnected"));
      await until(() => pair.every((r) => said(r).length === 1)); // each has decided
      const lines = pair.flatMap((r) => said(r).map((e) => `${e.level} ${e.msg}`)).sort();
      expect(lines).toEqual([
        "debug client reconnected: logged by another replica",
        "info client reconnected",
      ]);
      expect(pair.flatMap((r) => r.events).filter((e) => e === "reconnected")).toHaveLength(1);
    } finally {
      stop.abort();
      await Promise.all(pair.map((r) => r.store.close()));
    }
  });
});
