// The heartbeat part of `demo all`: the server and one client in this process, sharing a
// token made up for the run (or HEARTBEAT_TOKEN when set).
import { randomBytes } from "node:crypto";
import { readConfig } from "../lib/config";
import { listen } from "../lib/http-server";
import { createLogger } from "../lib/log";
import { heartbeatClientEnv, runHeartbeatClient } from "./client";
import { createHeartbeatServer, heartbeatServerEnv } from "./server";

export function startLocalHeartbeat(port: number) {
  const env = {
    ...process.env,
    HEARTBEAT_TOKEN: process.env.HEARTBEAT_TOKEN || randomBytes(16).toString("hex"),
  };
  const log = createLogger("heartbeat-server");
  const { app } = createHeartbeatServer({ config: readConfig(heartbeatServerEnv, env), log });
  const bound = listen(app, { port, log, shutdownDelaySeconds: 0 });
  const url = `http://localhost:${bound}`;
  const client = runHeartbeatClient(
    readConfig(heartbeatClientEnv, { ...env, SERVER_URL: url }),
    createLogger("heartbeat-client"),
  );
  return { hint: `dashboard ${url}/  and  curl ${url}/clients`, running: client };
}
