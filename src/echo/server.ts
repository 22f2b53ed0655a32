// echo server: GET / and POST / answer with fixed JSON; the simplest protocol exchange.
import { t } from "elysia";
import { defineCommand } from "../lib/command";
import { serverEnv, T } from "../lib/config";
import { createServer, jsonBody, listen } from "../lib/http-server";
import { createLogger, type Logger } from "../lib/log";

export const GET_BODY = { message: "This is a GET response" } as const;
export const greeting = (name: string) => ({ response: `Hello, ${name}!` });

export function createEchoServer(log: Logger) {
  return createServer({ log })
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
    });
}

export const echoServerEnv = T.Object(serverEnv);

export const echoServer = defineCommand({
  summary: "HTTP server answering GET / and POST / with JSON",
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
