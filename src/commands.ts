// The `demo` commands by name. Each loads only its own modules: a pod running echo never
// evaluates the MySQL driver. The binary dispatches on this table; the README's
// configuration tables are generated from the same commands (scripts/docs/env-tables.ts).
import type { CommandTable } from "./lib/command";

export const commands: CommandTable = {
  "echo-server": () => import("./echo/server").then((m) => m.echoServer),
  "echo-client": () => import("./echo/client").then((m) => m.echoClient),
  "users-server": () => import("./users/server").then((m) => m.usersServer),
  "heartbeat-server": () => import("./heartbeat/server").then((m) => m.heartbeatServer),
  "heartbeat-client": () => import("./heartbeat/client").then((m) => m.heartbeatClient),
  check: () => import("./check/command").then((m) => m.check),
  all: () => import("./local-stack").then((m) => m.localStack),
  version: () => import("./version").then((m) => m.version),
};
