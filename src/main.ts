#!/usr/bin/env bun
// `demo <command>`: the one binary behind every workload. The dispatch table, nothing else.
// Each command loads only its own modules: a pod running echo never evaluates the MySQL driver.
import { type CommandTable, dispatch } from "./lib/command";

const commands: CommandTable = {
  "echo-server": () => import("./echo/server").then((m) => m.echoServer),
  "echo-client": () => import("./echo/client").then((m) => m.echoClient),
  "users-server": () => import("./users/server").then((m) => m.usersServer),
  "heartbeat-server": () => import("./heartbeat/server").then((m) => m.heartbeatServer),
  "heartbeat-client": () => import("./heartbeat/client").then((m) => m.heartbeatClient),
  check: () => import("./check/command").then((m) => m.check),
  all: () => import("./local-stack").then((m) => m.localStack),
  version: () => import("./version").then((m) => m.version),
};

const code = await dispatch(commands, process.argv.slice(2));
if (code !== undefined) process.exit(code);
