// `demo all`: the whole stack in one process on localhost, no cluster needed.
import { echoClientEnv, runEchoClient } from "./echo/client";
import { createEchoServer } from "./echo/server";
import { startLocalHeartbeat } from "./heartbeat/local";
import { defineCommand } from "./lib/command";
import { loggingEnv, port, readConfig, T } from "./lib/config";
import { listen } from "./lib/http-server";
import { createLogger } from "./lib/log";
import { startLocalUsers } from "./users/server";

export const localStackEnv = T.Object({
  ECHO_PORT: port(8080),
  USERS_PORT: port(8081),
  HEARTBEAT_PORT: port(8082),
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
    const users = startLocalUsers(config.USERS_PORT);
    const heartbeat = startLocalHeartbeat(config.HEARTBEAT_PORT);
    log.info("stack is up", {
      echo: `curl ${echoUrl}/  and  curl -d '{"name":"Test User"}' ${echoUrl}/`,
      users: users.curl,
      heartbeat: `dashboard ${heartbeat.url}/  and  curl ${heartbeat.url}/clients`,
    });
    return Promise.all([
      runEchoClient(
        readConfig(echoClientEnv, { ...process.env, SERVER_URL: echoUrl }),
        createLogger("echo-client"),
      ),
      heartbeat.client,
    ]);
  },
});
