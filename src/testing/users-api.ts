// For the users tests: a users API on a free port with the given env, its logs recorded.
import { readConfig } from "../lib/config";
import { usersServerEnv } from "../users/config";
import type { Observed } from "../users/openapi-contract";
import { createUsers } from "../users/server";
import { recordingLogger } from "./logger";
import { serveOnFreePort } from "./serve";

export type TestApi = Awaited<ReturnType<typeof startTestApi>>;

/** Starts the API as `demo users-server` would with `env`, on 127.0.0.1 and a free port. */
export async function startTestApi(
  env: Record<string, string>,
  /** keyPrefix: replicas of one API share it (each suite has its own by default). */
  options: { waitForStart?: boolean; keyPrefix?: string } = {},
) {
  const log = recordingLogger();
  const config = readConfig(usersServerEnv, env);
  const stopped = new AbortController();
  const users = createUsers(config, log, {
    keyPrefix: options.keyPrefix ?? `test-${crypto.randomUUID()}:`,
    signal: stopped.signal,
  });
  if (options.waitForStart !== false) await users.started;
  const { base } = serveOnFreePort(users.app);
  // Every answer, for checking it against the OpenAPI document (openapi-contract.ts).
  const observed: Array<Promise<Observed>> = [];
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      // Text and bytes as they are, anything else as JSON.
      body:
        body === undefined || typeof body === "string"
          ? body
          : body instanceof Uint8Array
            ? new Blob([body as Uint8Array<ArrayBuffer>])
            : JSON.stringify(body),
    });
    const { status } = response;
    const text = response.clone().text();
    observed.push(
      text.then((text) => ({ method, path: path.split("?")[0] ?? path, status, body: text })),
    );
    return response;
  };
  return {
    ...users,
    base,
    log,
    call,
    /** The answers of every `call` so far. */
    observed: () => Promise.all(observed),
    /** GET /users/:id: status, X-Cache and body. */
    async read(id: string) {
      const response = await call("GET", `/users/${id}`);
      return {
        status: response.status,
        cache: response.headers.get("x-cache"),
        body: await response.json(),
      };
    },
    async stop() {
      stopped.abort();
      await users.app.stop(true);
      await users.close();
    },
  };
}
