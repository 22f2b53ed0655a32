// The compiled binary serves users with nothing but itself: run from an empty directory, it
// still migrates, because the migrations are embedded. `demo check users` from the same
// binary passes against SQLite, and against MariaDB or MySQL 9 + Redis configured by parts as the chart
// does (MYSQL_HOST..., REDIS_HOST...).
import { afterEach, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { compiledBinary } from "../testing/binary";
import { testMySqls } from "../testing/mysql-servers";
import { freePort } from "../testing/processes";
import { sharedRedis } from "../testing/redis";
import { ServerProcess, tempDir } from "../testing/server-process";
import { openApiErrors } from "./openapi-contract";

const SCALAR_SCRIPT = join(
  import.meta.dir,
  "../../node_modules/@scalar/api-reference/dist/browser/standalone.js",
);

// Tests that start, stop or wait for real servers take seconds, not milliseconds.
setDefaultTimeout(60_000);

let binary: string;
let server: ServerProcess | undefined;
beforeAll(async () => {
  binary = await compiledBinary();
}, 120_000);
afterEach(() => server?.stop());

/** Starts `demo users-server` with only `env`, in an empty directory; runs the check at it. */
async function serveAndCheck(env: Record<string, string>) {
  const port = await freePort();
  const empty = tempDir("users-binary");
  server = new ServerProcess("demo users-server", [binary, "users-server"], join(empty, "log"), {
    cwd: empty,
    env: { ...env, PORT: String(port), LOG_FORMAT: "json" },
  });
  const base = `http://127.0.0.1:${port}`;
  await server.start(async () => (await fetch(`${base}/readyz`)).ok);
  const check = Bun.spawnSync([binary, "check", "users", base], { cwd: empty, env: {} });
  expect(check.stdout.toString()).toContain("PASS users");
  expect(check.exitCode).toBe(0);
  const openapi = await (await fetch(`${base}/openapi/json`)).json();
  expect(Object.keys(openapi.paths)).toContain("/users/{id}");
  expect(await openApiErrors(openapi)).toEqual([]);
  // The docs work offline: the page names no other host, and Scalar's script is embedded.
  const page = await (await fetch(`${base}/openapi`)).text();
  expect(page.match(/(https?:)?\/\/[^\s"'<>]+/g)).toBeNull();
  const script = await fetch(`${base}/openapi/scalar.js`);
  expect(script.status).toBe(200);
  expect(Buffer.from(await script.arrayBuffer()).equals(readFileSync(SCALAR_SCRIPT))).toBe(true);
  // Beyond Bun's default body limit too: the JSON 413.
  const huge = await fetch(`${base}/users`, { method: "POST", body: "x".repeat(2 * 1024 * 1024) });
  expect(huge.status).toBe(413);
  expect((await huge.json()).error).toStartWith("request body too large");
  return readFileSync(server.logFile, "utf8");
}

describe("demo users-server (compiled)", () => {
  test("with embedded SQLite and the in-process cache", async () => {
    expect(await serveAndCheck({})).toContain('"database":"sqlite::memory:"');
  });

  test.each(testMySqls())(
    "with %s and Redis by parts, the table made by POST /init",
    async (_, sharedMySql) => {
      const mysql = new URL(await (await sharedMySql()).createDatabase());
      const redis = new URL((await sharedRedis()).url);
      const log = await serveAndCheck({
        MYSQL_HOST: mysql.hostname,
        MYSQL_PORT: mysql.port,
        MYSQL_USER: decodeURIComponent(mysql.username),
        MYSQL_PASSWORD: decodeURIComponent(mysql.password),
        MYSQL_DATABASE: mysql.pathname.slice(1),
        REDIS_HOST: redis.hostname,
        REDIS_PORT: redis.port,
        REDIS_PASSWORD: decodeURIComponent(redis.password),
        MIGRATE_ON_START: "false",
      });
      expect(log).toContain('"migrated":false');
      expect(log).toContain(`"cache":"redis://${redis.host}"`);
    },
  );
});
