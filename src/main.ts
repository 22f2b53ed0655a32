#!/usr/bin/env bun
// `demo <command>`: the one binary behind every workload. The dispatch table, nothing else.
import { check } from "./check/command";
import { echoClient } from "./echo/client";
import { echoServer } from "./echo/server";
import { heartbeatClient } from "./heartbeat/client";
import { heartbeatServer } from "./heartbeat/server";
import { type Command, dispatch } from "./lib/command";
import { localStack } from "./local-stack";
import { usersServer } from "./users/server";
import { version } from "./version";

const commands: Record<string, Command> = {
  "echo-server": echoServer,
  "echo-client": echoClient,
  "heartbeat-server": heartbeatServer,
  "heartbeat-client": heartbeatClient,
  "users-server": usersServer,
  check,
  all: localStack,
  version,
} as Record<string, Command>;

const code = await dispatch(commands, process.argv.slice(2));
if (code !== undefined) process.exit(code);
