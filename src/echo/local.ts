// The echo part of `demo all`: the server on `port` and one client POSTing to it.
import { readConfig } from "../lib/config";
import { listen } from "../lib/http-server";
import { createLogger } from "../lib/log";
import { echoClientEnv, runEchoClient } from "./client";
import { createEchoServer } from "./server";

export function startLocalEcho(port: number) {
  const log = createLogger("echo-server");
  const url = `http://localhost:${listen(createEchoServer(log), { port, log, shutdownDelaySeconds: 0 })}`;
  const client = runEchoClient(
    readConfig(echoClientEnv, { ...process.env, SERVER_URL: url }),
    createLogger("echo-client"),
  );
  return { hint: `curl ${url}/  and  curl -d '{"name":"Test User"}' ${url}/`, running: client };
}
