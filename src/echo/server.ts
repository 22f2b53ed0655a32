// echo server: GET / and POST / answer with fixed JSON; the simplest protocol exchange. Its
// endpoints for testing a cluster (delays, statuses, WebSocket...) are in testing-endpoints.ts.
import { t } from "elysia";
import { defineCommand } from "../lib/command";
import { serverEnv, T } from "../lib/config";
import { createServer, jsonBody, listen } from "../lib/http-server";
import { createLogger, type Logger } from "../lib/log";
import { testingEndpoints } from "./testing-endpoints";

export const GET_BODY = { message: "This is a GET response" } as const;
export const greeting = (name: string) => ({ response: `Hello, ${name}!` });

/** `stop` ends the testing endpoints' waits early: the process's stop signal by default. */
export function createEchoServer(log: Logger, stop?: AbortSignal) {
  const testing = testingEndpoints(stop);
  return createServer({ log, readiness: testing.readiness })
    .get("/", () => GET_BODY)
    .post("/", ({ body }) => greeting(body.name), {
      parse: jsonBody,
      body: t.Object({
        name: t.String({
          minLength: 1,
          description: "who to greet",
          error: "must be a non-empty string",
        }),
      }),
    })
    .use(testing.routes);
}

export const echoServerEnv = T.Object(serverEnv);

export const echoServer = defineCommand({
  summary: "HTTP server answering GET / and POST / with JSON, and endpoints for testing a cluster",
  env: echoServerEnv,
  run(config) {
    const log = createLogger("echo-server");
    listen(createEchoServer(log), {
      port: config.PORT,
      log,
      shutdownDelaySeconds: config.SHUTDOWN_DELAY_SECONDS,
    });
  },
});
