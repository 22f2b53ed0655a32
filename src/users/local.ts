// The users part of `demo all`: the API on `port`, configured by the usual env vars (SQLite
// and an in-process cache unless MYSQL_* / REDIS_* say otherwise).
import { readConfig } from "../lib/config";
import { listen } from "../lib/http-server";
import { createLogger } from "../lib/log";
import { usersServerEnv } from "./config";
import { createUsers } from "./server";

export function startLocalUsers(port: number) {
  const log = createLogger("users-server");
  const config = readConfig(usersServerEnv, { ...process.env, PORT: String(port) });
  const { app } = createUsers(config, log);
  const url = `http://localhost:${listen(app, { port, log, shutdownDelaySeconds: 0 })}`;
  const curl = [
    `curl -X POST ${url}/init`,
    `curl -d '{"id":"ada","name":"Ada","email":"ada@example.com"}' ${url}/users`,
    `curl -i ${url}/users/ada`,
  ];
  return { hint: `${curl.join("  then  ")}  (API docs: ${url}/openapi)` };
}
