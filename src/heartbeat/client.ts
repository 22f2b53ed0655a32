// heartbeat client: POSTs a heartbeat every HEARTBEAT_INTERVAL and a CPU/memory report every
// METRICS_INTERVAL (the first right at start), logs each acknowledgement, and when the server
// is unreachable or refuses, logs it and retries with backoff and jitter. It never exits by
// itself.
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { Counter } from "prom-client";
import { defineCommand } from "../lib/command";
import { listenEnv, seconds, T, url } from "../lib/config";
import { createServer, listen } from "../lib/http-server";
import { stopping } from "../lib/lifecycle";
import { createLogger, type Logger } from "../lib/log";
import { every } from "../lib/loop";
import { postJson } from "../lib/post-json";
import { createProbe } from "./probe";
import type { Heartbeat, MetricsReport } from "./protocol";

const ID_PATTERN = "^([A-Za-z0-9][A-Za-z0-9._:-]*)?$";

export const heartbeatClientEnv = T.Object({
  SERVER_URL: url("http://localhost:8080", "heartbeat server to report to"),
  HEARTBEAT_TOKEN: T.String({
    minLength: 1,
    description: "shared secret, sent as a bearer token (required)",
  }),
  CLIENT_ID: T.String({
    default: "",
    maxLength: 253,
    pattern: ID_PATTERN,
    description: "this client's id; else POD_NAME, else NODE_NAME, else the hostname",
  }),
  POD_NAME: T.String({ default: "", description: "the pod's name (Downward API metadata.name)" }),
  NODE_NAME: T.String({ default: "", description: "the node's name (Downward API spec.nodeName)" }),
  HEARTBEAT_INTERVAL: seconds(3, "time between heartbeats"),
  METRICS_INTERVAL: seconds(20, "time between CPU/memory reports"),
  REQUEST_TIMEOUT_SECONDS: seconds(3, "how long to wait for each answer"),
  ...listenEnv,
});
export type HeartbeatClientConfig = (typeof heartbeatClientEnv)["static"];

const sent = new Counter({
  name: "heartbeat_reports_sent_total",
  help: "Reports this client sent, by kind (heartbeat, metrics) and outcome (acknowledged, refused, failed).",
  labelNames: ["kind", "outcome"] as const,
});

/**
 * The pod name comes before the node name: several Deployment replicas can share a node,
 * and one id for two live clients would look like endless restarts. (A DaemonSet that wants
 * pod replacements seen as restarts of the node's client sets CLIENT_ID to the node name.)
 */
export function clientIdOf(
  config: Pick<HeartbeatClientConfig, "CLIENT_ID" | "POD_NAME" | "NODE_NAME">,
) {
  const id = config.CLIENT_ID || config.POD_NAME || config.NODE_NAME || hostname();
  return (
    id
      .replace(/[^A-Za-z0-9._:-]/g, "-")
      .replace(/^[^A-Za-z0-9]+/, "")
      .slice(0, 253) || "client"
  );
}

export function runHeartbeatClient(
  config: HeartbeatClientConfig,
  log: Logger = createLogger("heartbeat-client"),
  signal: AbortSignal = stopping,
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
    log.info(`${kind} acknowledged`, fields);
  }

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
  return Promise.all([heartbeats, reports]);
}

export const heartbeatClient = defineCommand({
  summary: "sends heartbeats and CPU/memory reports to the heartbeat server",
  env: heartbeatClientEnv,
  run(config) {
    const log = createLogger("heartbeat-client");
    listen(createServer({ log }), { port: config.PORT, log, shutdownDelaySeconds: 0 });
    return runHeartbeatClient(config, log);
  },
});
