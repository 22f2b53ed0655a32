// heartbeat server: takes heartbeats and CPU/memory reports from many clients, tells who is
// UP, LATE or LOST (see registry.ts), and shows it as JSON, Prometheus series and a live
// dashboard. Reports need the shared token; the read-only views do not.
import { defineCommand } from "../lib/command";
import { ConfigError, seconds, serverEnv, T } from "../lib/config";
import { createServer, jsonBody, listen } from "../lib/http-server";
import { stopping } from "../lib/lifecycle";
import { createLogger, type Logger } from "../lib/log";
import { recordRequest } from "../lib/metrics";
import dashboardPage from "./dashboard.html" with { type: "text" };
import { createEventStream } from "./events";
import { exportClientMetrics } from "./prometheus";
import { Goodbye, Heartbeat, INTERVAL_BOUNDS, MetricsReport } from "./protocol";
import { createRedisStore } from "./redis-store";
import { type Clock, clientView, Registry } from "./registry";

export const heartbeatServerEnv = T.Object({
  HEARTBEAT_TOKEN: T.String({
    minLength: 1,
    description: "shared secret: clients send it as a bearer token (required)",
  }),
  HEARTBEAT_INTERVAL: seconds(
    3,
    "heartbeat interval for clients that announce none",
    INTERVAL_BOUNDS,
  ),
  HEARTBEAT_LOST_REPEAT: seconds(10, "how often a LOST client is logged again"),
  HEARTBEAT_FORGET_AFTER: seconds(600, "silence after which a LOST or LEFT client is forgotten"),
  HEARTBEAT_STORE: T.Union([T.Literal("memory"), T.Literal("redis")], {
    default: "memory",
    description: "memory (one replica) or redis (survives restarts, 2+ replicas share it)",
  }),
  REDIS_URL: T.String({
    default: "",
    pattern: "^(rediss?://.+)?$",
    description: "redis://[:password@]host:port[/db], for HEARTBEAT_STORE=redis",
  }),
  HEARTBEAT_REDIS_PREFIX: T.String({
    default: "heartbeat:",
    description: "prefix of the store's Redis keys and channel",
  }),
  ...serverEnv,
});
type HeartbeatServerConfig = (typeof heartbeatServerEnv)["static"];

export interface HeartbeatServerOptions {
  config: Pick<
    HeartbeatServerConfig,
    "HEARTBEAT_TOKEN" | "HEARTBEAT_INTERVAL" | "HEARTBEAT_LOST_REPEAT" | "HEARTBEAT_FORGET_AFTER"
  > &
    Partial<
      Pick<HeartbeatServerConfig, "HEARTBEAT_STORE" | "REDIS_URL" | "HEARTBEAT_REDIS_PREFIX">
    >;
  log: Logger;
  now?: Clock;
  /** Closes the event streams; the process's stop signal by default. */
  signal?: AbortSignal;
  /** Stops the sweep and the store; `signal` by default. The command stops them only once
   * the server drained, so what it took during the shutdown delay (a goodbye, a beat) is
   * still shared with the other replicas. */
  until?: AbortSignal;
}

// Bun's text import embeds the page in the binary; the .html type says bundle, it is a string.
const dashboard = dashboardPage as unknown as string;
const REPORT_PATHS = new Set(["/heartbeat", "/metrics", "/goodbye"]);

export function createHeartbeatServer({
  config,
  log,
  now,
  signal = stopping,
  until = signal,
}: HeartbeatServerOptions) {
  const intervalMs = config.HEARTBEAT_INTERVAL * 1000;
  const countEvent = exportClientMetrics(() => registry.clients.values());
  const registry: Registry = new Registry({
    intervalMs,
    lostRepeatMs: config.HEARTBEAT_LOST_REPEAT * 1000,
    forgetAfterMs: config.HEARTBEAT_FORGET_AFTER * 1000,
    now,
    log,
    onChange: (clientId) => {
      events.changed(clientId);
      store?.changed(clientId);
    },
    onEvent: (event) => countEvent(event),
  });
  const events = createEventStream(registry, { signal });
  const store = openStore(config, { registry, log, intervalMs, signal: until });
  const period = Math.max(10, Math.min(250, intervalMs / 4));
  startSweeper(registry, period, until, () => store?.maySweep() ?? true);
  const tokenMatches = bearerCheck(config.HEARTBEAT_TOKEN);

  const health = () =>
    store
      ? { store: store.degraded ? "degraded: redis unreachable" : "redis", sweeper: store.sweeper }
      : { store: "memory" };
  // Not ready before the clients kept in Redis are read, so a new replica never shows a
  // partial list; unless Redis stays away past the startup grace: then it serves degraded.
  const readiness = {
    store: () =>
      store && !store.loaded && registry.now() < registry.noLostBefore
        ? "reading the clients kept in redis"
        : null,
  };
  const app = createServer({ log, health, readiness })
    // Before parsing: a report without the right token is 401 whatever its body holds.
    .onRequest(({ request, set }) => {
      if (request.method !== "POST") return;
      const path = pathOf(request.url);
      if (!REPORT_PATHS.has(path)) return;
      const problem = tokenMatches(request.headers.get("authorization"));
      if (!problem) return;
      set.status = 401;
      set.headers["www-authenticate"] = 'Bearer realm="heartbeat"';
      // An answer from onRequest skips the server kit's hooks, which count every other
      // request: counted here, so a client with a wrong secret shows in the metrics.
      recordRequest(request.method, path, 401, 0);
      return { error: problem };
    })
    .get(
      "/",
      () => new Response(dashboard, { headers: { "content-type": "text/html; charset=utf-8" } }),
    )
    .get("/events", ({ request }) => events.subscribe(request))
    .get("/clients", () => {
      const at = registry.now();
      const clients = [...registry.clients.values()].sort((a, b) => a.id.localeCompare(b.id));
      const counts = { UP: 0, LATE: 0, LOST: 0, LEFT: 0 };
      for (const client of clients) counts[client.state] += 1;
      return {
        now: new Date(at).toISOString(),
        counts,
        clients: clients.map((client) => clientView(client, at)),
      };
    })
    .post("/heartbeat", ({ body }) => registry.beat(body), { parse: jsonBody, body: Heartbeat })
    .post("/goodbye", ({ body }) => registry.leave(body), { parse: jsonBody, body: Goodbye })
    .post(
      "/metrics",
      ({ body }) => {
        registry.report(body);
        return { clientId: body.clientId, received: true };
      },
      { parse: jsonBody, body: MetricsReport },
    );
  return { app, registry, events, store };
}

/** The Redis store when configured, else none (the registry alone, in memory). */
function openStore(
  config: HeartbeatServerOptions["config"],
  options: { registry: Registry; log: Logger; intervalMs: number; signal: AbortSignal },
) {
  if (config.HEARTBEAT_STORE !== "redis") return undefined;
  if (!config.REDIS_URL) throw new ConfigError("HEARTBEAT_STORE=redis needs REDIS_URL");
  return createRedisStore(options.registry, {
    ...options,
    url: config.REDIS_URL,
    prefix: config.HEARTBEAT_REDIS_PREFIX ?? "heartbeat:",
  });
}

/**
 * One timer sweeps all clients. A tick that comes far too late means this process stalled
 * (a long GC, a paused VM): the beats that waited meanwhile are read before anyone is judged.
 */
function startSweeper(
  registry: Registry,
  periodMs: number,
  signal: AbortSignal,
  allowed: () => boolean,
) {
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    const stalled = now - last > 2 * periodMs + 100;
    last = now;
    if (!stalled && allowed()) registry.sweep();
  }, periodMs);
  signal.addEventListener("abort", () => clearInterval(timer));
}

/** Checks an Authorization header in constant time; returns what is wrong, or null. */
function bearerCheck(token: string) {
  return (header: string | null) => {
    if (!header || !/^bearer\s+\S/i.test(header))
      return "missing bearer token: send Authorization: Bearer <HEARTBEAT_TOKEN>";
    return sameInConstantTime(header.replace(/^bearer\s+/i, ""), token) ? null : "wrong token";
  };
}

/** String equality whose time depends only on the expected value's length, not on where
 * the given one differs. (No hashing or buffers: this runs for every report.) */
function sameInConstantTime(given: string, expected: string) {
  let difference = given.length ^ expected.length;
  for (let i = 0; i < expected.length; i++)
    difference |= (given.charCodeAt(i) | 0) ^ expected.charCodeAt(i);
  return difference === 0;
}

/** The path of a request URL without building a URL object (a hot path for reports). */
function pathOf(url: string) {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  const query = url.indexOf("?", start);
  return start < 0 ? "/" : url.slice(start, query < 0 ? undefined : query);
}

export const heartbeatServer = defineCommand({
  summary: "collects heartbeats and CPU/memory reports, detects lost clients, serves a dashboard",
  env: heartbeatServerEnv,
  run(config) {
    const log = createLogger("heartbeat-server");
    const drained = new AbortController();
    const { app, store } = createHeartbeatServer({ config, log, until: drained.signal });
    listen(app, {
      port: config.PORT,
      log,
      shutdownDelaySeconds: config.SHUTDOWN_DELAY_SECONDS,
      afterDrain: async () => {
        drained.abort();
        await store?.close();
      },
    });
  },
});
