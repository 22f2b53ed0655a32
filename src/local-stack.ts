// `demo all`: the whole stack in one process on localhost, no cluster needed.
import { echoClientEnv, runEchoClient } from "./echo/client";
import { createEchoServer } from "./echo/server";
import { defineCommand } from "./lib/command";
import { loggingEnv, port, readConfig, T } from "./lib/config";
import { listen } from "./lib/http-server";
import { createLogger } from "./lib/log";

export const localStackEnv = T.Object({
  ECHO_PORT: port(8080),
  ...loggingEnv,
});

export const localStack = defineCommand({
  summary: "runs every server and client locally (echo, users, heartbeat)",
  env: localStackEnv,
  run(config) {
    const log = createLogger("all");
    const echoPort = listen(createEchoServer(createLogger("echo-server")), {
      port: config.ECHO_PORT,
      log: createLogger("echo-server"),
      shutdownDelaySeconds: 0,
    });
    const echoUrl = `http://localhost:${echoPort}`;
    log.info("stack is up", {
      echo: `curl ${echoUrl}/  and  curl -d '{"name":"Test User"}' ${echoUrl}/`,
    });
    return runEchoClient(
      readConfig(echoClientEnv, { ...process.env, SERVER_URL: echoUrl }),
      createLogger("echo-client"),
    );
  },
});
