// heartbeat client: POSTs a heartbeat every HEARTBEAT_INTERVAL and a CPU/memory report every
// METRICS_INTERVAL (the first right at start). Each acknowledgement is logged at debug, and a
// summary of them at info every ACK_SUMMARY_INTERVAL; when the server is unreachable or
// refuses, it logs it and retries with backoff and jitter. It never exits by itself; asked to
// stop (SIGTERM), it sends a goodbye so the server marks it LEFT, not LOST.
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { Counter } from "prom-client";
import { defineCommand } from "../lib/command";
import { listenEnv, seconds, T, url } from "../lib/config";
import { createServer, listen } from "../lib/http-server";
import { onStop, stopping } from "../lib/lifecycle";
import { createLogger, type Logger } from "../lib/log";
import { every } from "../lib/loop";
import { postJson } from "../lib/post-json";
import { createProbe } from "./probe";
import {
  CLIENT_ID,
  type Goodbye,
  type Heartbeat,
  INTERVAL_BOUNDS,
  type MetricsReport,
} from "./protocol";

export const heartbeatClientEnv = T.Object({
  SERVER_URL: url("http://localhost:8080", "heartbeat server to report to"),
  HEARTBEAT_TOKEN: T.String({
    minLength: 1,
    description: "shared secret, sent as a bearer token (required)",
  }),
  CLIENT_ID: T.String({
    default: "",
    maxLength: CLIENT_ID.maxLength,
    pattern: `^(${CLIENT_ID.pattern})?$`,
    description: "this client's id; else POD_NAME, else NODE_NAME, else the hostname",
  }),
  POD_NAME: T.String({ default: "", description: "the pod's name (Downward API metadata.name)" }),
  NODE_NAME: T.String({ default: "", description: "the node's name (Downward API spec.nodeName)" }),
  HEARTBEAT_INTERVAL: seconds(3, "time between heartbeats", INTERVAL_BOUNDS),
  METRICS_INTERVAL: seconds(20, "time between CPU/memory reports"),
  REQUEST_TIMEOUT_SECONDS: seconds(3, "how long to wait for each answer"),
  ACK_SUMMARY_INTERVAL: seconds(60, "how often to log a summary of the acknowledged reports"),
  ...listenEnv,
});
export type HeartbeatClientConfig = (typeof heartbeatClientEnv)["static"];

const sent = new Counter({
  name: "heartbeat_reports_sent_total",
  help: "Reports this client sent, by kind (heartbeat, metrics) and outcome (acknowledged, refused, failed).",
  labelNames: ["kind", "outcome"] as const,
});

/**
 * The pod name comes before the node name: several replicas can share a node, and one id
 * for two live clients would look like endless restarts. The chart keeps ids stable across
 * redeploys: StatefulSet pods keep their names, and a DaemonSet sets CLIENT_ID to the node.
 */
export function clientIdOf(
  config: Pick<HeartbeatClientConfig, "CLIENT_ID" | "POD_NAME" | "NODE_NAME">,
) {
  const id = config.CLIENT_ID || config.POD_NAME || config.NODE_NAME || hostname();
  return (
    id
      .replace(CLIENT_ID.notAllowed, "-")
      .replace(/^[^A-Za-z0-9]+/, "") // the first character: a letter or a digit
      .slice(0, CLIENT_ID.maxLength) || "client"
  );
}

/**
 * Reports until `signal` aborts, then says goodbye (unless `goodbye` is false: tests use it
 * to stand for a client killed without a chance to say anything).
 */
export function runHeartbeatClient(
  config: HeartbeatClientConfig,
  log: Logger = createLogger("heartbeat-client"),
  signal: AbortSignal = stopping,
  { goodbye = true } = {},
) {
  const clientId = clientIdOf(config);
  const bootId = randomUUID();
  const node = config.NODE_NAME || undefined;
  const probe = createProbe();
  const headers = { authorization: `Bearer ${config.HEARTBEAT_TOKEN}` };
  log.info("reporting", {
    server: config.SERVER_URL,
    clientId,
    bootId,
    intervalSeconds: config.HEARTBEAT_INTERVAL,
    metricsIntervalSeconds: config.METRICS_INTERVAL,
    cgroup: probe.cgroup?.version ?? "none",
  });
  // Said once, not on every report: a missing cgroup will not appear later.
  if (!probe.cgroup)
    log.warn("no cgroup files found: container CPU and memory are reported as null");

  async function send(kind: "heartbeat" | "metrics", body: Heartbeat | MetricsReport) {
    const answer = await postJson(new URL(`/${kind}`, config.SERVER_URL).href, body, {
      headers,
      timeoutMs: config.REQUEST_TIMEOUT_SECONDS * 1000,
    }).catch((error) => {
      sent.inc({ kind, outcome: "failed" });
      throw error;
    });
    const fields = { status: answer.status, body: answer.body };
    if (!answer.ok) {
      sent.inc({ kind, outcome: "refused" });
      throw Object.assign(new Error(`server refused the ${kind} report`), { fields });
    }
    sent.inc({ kind, outcome: "acknowledged" });
    log.debug(`${kind} acknowledged`, fields);
    summary.acknowledged(kind);
  }
  const summary = ackSummary(log, config.ACK_SUMMARY_INTERVAL * 1000);

  const onError = (kind: string) => (error: unknown, failures: number, nextDelayMs: number) =>
    log.warn((error as Error).message, {
      kind,
      ...(error as { fields?: object }).fields,
      failures,
      retryInMs: Math.round(nextDelayMs),
    });

  let seq = 0;
  const heartbeats = every(
    () =>
      send("heartbeat", {
        clientId,
        bootId,
        seq: ++seq,
        sentAt: Date.now(),
        intervalSeconds: config.HEARTBEAT_INTERVAL,
        node,
      }),
    { intervalMs: config.HEARTBEAT_INTERVAL * 1000, signal, onError: onError("heartbeat") },
  );
  const reports = every(
    async () =>
      send("metrics", { clientId, bootId, sentAt: Date.now(), ...(await probe.sample()) }),
    { intervalMs: config.METRICS_INTERVAL * 1000, signal, onError: onError("metrics") },
  );
  // After the last report: a goodbye that overtook a heartbeat would be undone by it.
  return Promise.all([heartbeats, reports]).then(() =>
    goodbye ? sayGoodbye({ clientId, bootId, sentAt: Date.now() }) : undefined,
  );

  async function sayGoodbye(goodbye: Goodbye) {
    const url = new URL("/goodbye", config.SERVER_URL).href;
    // Short: the pod's grace period is not spent on an unreachable server.
    const timeoutMs = Math.min(2000, config.REQUEST_TIMEOUT_SECONDS * 1000);
    try {
      const answer = await postJson(url, goodbye, { headers, timeoutMs });
      log.info("goodbye sent", { status: answer.status, body: answer.body });
    } catch (error) {
      log.warn("goodbye not delivered", { reason: (error as Error).message });
    }
  }
}

/**
 * Counts acknowledgements and logs them as one info line per period, so a healthy client
 * logs a few lines an hour instead of one per report.
 */
function ackSummary(log: Logger, periodMs: number) {
  let counts = { heartbeat: 0, metrics: 0 };
  let since = performance.now();
  return {
    acknowledged(kind: "heartbeat" | "metrics") {
      counts[kind] += 1;
      const now = performance.now();
      if (now - since < periodMs) return;
      log.info("reports acknowledged", {
        heartbeats: counts.heartbeat,
        metrics: counts.metrics,
        periodSeconds: Math.round((now - since) / 1000),
      });
      counts = { heartbeat: 0, metrics: 0 };
      since = now;
    },
  };
}

export const heartbeatClient = defineCommand({
  summary: "sends heartbeats and CPU/memory reports to the heartbeat server",
  env: heartbeatClientEnv,
  run(config) {
    const log = createLogger("heartbeat-client");
    listen(createServer({ log }), { port: config.PORT, log, shutdownDelaySeconds: 0 });
    const running = runHeartbeatClient(config, log);
    // The process exits once every stopper is done: the goodbye is one of them.
    onStop(() => running.then(() => {}));
    return running;
  },
});
