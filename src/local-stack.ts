// `demo all`: the whole stack in one process on localhost, no cluster needed. Each system
// starts through its own local.ts.
import { startLocalEcho } from "./echo/local";
import { startLocalHeartbeat } from "./heartbeat/local";
import { defineCommand } from "./lib/command";
import { port, T, telemetryEnv } from "./lib/config";
import { createLogger } from "./lib/log";
import { startLocalUsers } from "./users/local";

export const localStackEnv = T.Object({
  ECHO_PORT: port(8080),
  USERS_PORT: port(8081),
  HEARTBEAT_PORT: port(8082),
  ...telemetryEnv,
});

export const localStack = defineCommand({
  summary: "runs every server and client locally (echo, users, heartbeat)",
  env: localStackEnv,
  notes:
    'The users server also reads every variable "demo users-server --help" lists (MYSQL_URL,\n' +
    "REDIS_URL, CACHE_TTL_SECONDS...; USERS_PORT instead of PORT): with neither MYSQL_* nor\n" +
    "REDIS_*, the embedded SQLite and an in-process cache. Every port serves one /metrics:\n" +
    "the whole process's, merged.",
  run(config) {
    const systems = {
      echo: startLocalEcho(config.ECHO_PORT),
      users: startLocalUsers(config.USERS_PORT),
      heartbeat: startLocalHeartbeat(config.HEARTBEAT_PORT),
    };
    const hints = Object.entries(systems).map(([name, system]) => [name, system.hint]);
    createLogger("all").info("stack is up", Object.fromEntries(hints));
    // Runs until stopped: the clients loop forever.
    return Promise.all(
      Object.values(systems).map((system) => "running" in system && system.running),
    );
  },
});
