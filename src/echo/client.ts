// echo client: POSTs {"name": ECHO_NAME} to the server every ECHO_INTERVAL seconds and logs
// each answer; an unreachable server is logged and retried with backoff, never fatal.
import { Counter } from "prom-client";
import { defineCommand } from "../lib/command";
import { seconds, serverEnv, T, url } from "../lib/config";
import { createServer, listen } from "../lib/http-server";
import { createLogger } from "../lib/log";
import { every } from "../lib/loop";

export const echoClientEnv = T.Object({
  SERVER_URL: url("http://localhost:8080", "echo server to POST to"),
  ECHO_NAME: T.String({
    default: "Response from Client!",
    description: "the name sent in each POST",
  }),
  ECHO_INTERVAL: seconds(5, "time between POSTs"),
  REQUEST_TIMEOUT_SECONDS: seconds(3, "how long to wait for each answer"),
  ...serverEnv,
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
    async () => {
      let response: Response;
      try {
        response = await fetch(target, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ name: config.ECHO_NAME }),
          signal: AbortSignal.timeout(config.REQUEST_TIMEOUT_SECONDS * 1000),
        });
      } catch (error) {
        exchanges.inc({ outcome: "failed" });
        throw new Error(`Failed to connect to server: ${reasonOf(error)}`);
      }
      const body = await response.text();
      exchanges.inc({ outcome: "answered" });
      const fields = { status: response.status, body: parseOrText(body) };
      if (response.ok) log.info("server responded", fields);
      else log.warn("server responded with an error", fields);
    },
    {
      intervalMs: config.ECHO_INTERVAL * 1000,
      onError: (error, failures, nextDelayMs) =>
        log.warn((error as Error).message, { failures, retryInMs: Math.round(nextDelayMs) }),
    },
  );
}

function reasonOf(error: unknown) {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: string }).code;
  return code && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
}

function parseOrText(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
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
