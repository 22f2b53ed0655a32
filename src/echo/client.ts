// echo client: POSTs {"name": ECHO_NAME} to the server every ECHO_INTERVAL seconds and logs
// each answer; an unreachable server is logged and retried with backoff, never fatal.
import { SpanKind } from "@opentelemetry/api";
import { Counter } from "prom-client";
import { defineCommand } from "../lib/command";
import { listenEnv, seconds, T, url } from "../lib/config";
import { createServer, listen } from "../lib/http-server";
import { createLogger } from "../lib/log";
import { every } from "../lib/loop";
import { postJson } from "../lib/post-json";
import { inSpan } from "../lib/tracing";

export const echoClientEnv = T.Object({
  SERVER_URL: url("http://localhost:8080", "echo server to POST to"),
  ECHO_NAME: T.String({
    default: "Response from Client!",
    description: "the name sent in each POST",
  }),
  ECHO_INTERVAL: seconds(5, "time between POSTs"),
  REQUEST_TIMEOUT_SECONDS: seconds(3, "how long to wait for each answer"),
  ...listenEnv,
});
type EchoClientConfig = (typeof echoClientEnv)["static"];

const exchanges = new Counter({
  name: "echo_client_requests_total",
  help: "POSTs sent by the echo client, by outcome (answered, failed).",
  labelNames: ["outcome"] as const,
});

export function runEchoClient(config: EchoClientConfig, log = createLogger("echo-client")) {
  const target = new URL("/", config.SERVER_URL).href;
  log.info("sending", { target, name: config.ECHO_NAME, intervalSeconds: config.ECHO_INTERVAL });
  return every(
    // One span per exchange, so the POST is its child and the answer's log line, written
    // inside it, carries its trace_id and span_id.
    () =>
      inSpan("echo exchange", { "url.full": target }, SpanKind.INTERNAL, async () => {
        const answer = await postJson(
          target,
          { name: config.ECHO_NAME },
          { timeoutMs: config.REQUEST_TIMEOUT_SECONDS * 1000 },
        ).catch((error) => {
          exchanges.inc({ outcome: "failed" });
          throw error;
        });
        exchanges.inc({ outcome: "answered" });
        const fields = { status: answer.status, body: answer.body };
        if (answer.ok) log.info("Server Response:", fields);
        else log.warn("Server Response (an error):", fields);
      }),
    {
      intervalMs: config.ECHO_INTERVAL * 1000,
      onError: (error, failures, nextDelayMs) =>
        log.warn((error as Error).message, { failures, retryInMs: Math.round(nextDelayMs) }),
    },
  );
}

export const echoClient = defineCommand({
  summary: "POSTs to the echo server every few seconds and logs each answer",
  env: echoClientEnv,
  run(config) {
    const log = createLogger("echo-client");
    listen(createServer({ log }), { port: config.PORT, log, shutdownDelaySeconds: 0 });
    return runEchoClient(config, log);
  },
});
