// TLS to MySQL, configured by parts as the chart does (MYSQL_TLS, MYSQL_TLS_CA_FILE,
// MYSQL_TLS_VERIFY), against a MySQL 9 that requires it (require_secure_transport=ON) with a
// certificate from a throwaway CA: without TLS, or with a CA that did not sign the server's
// certificate, the API answers 503 naming the cause (never 500), and logs the outage.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { LocalMySql } from "../testing/mysql-servers";
import { tempDir } from "../testing/server-process";
import { type TestCa, throwawayCa } from "../testing/tls-certs";
import { startTestApi } from "../testing/users-api";
import { waitFor } from "../testing/wait";

setDefaultTimeout(60_000);

let mysql: LocalMySql;
let ca: TestCa;
let wrongCa: TestCa;
/** The API's database by parts, its password in a file, as the chart mounts it. */
let parts: Record<string, string>;

beforeAll(async () => {
  [ca, wrongCa] = [throwawayCa("server"), throwawayCa("wrong")];
  mysql = await LocalMySql.start("mysql9", [
    "--require-secure-transport=ON",
    `--ssl-ca=${ca.ca}`,
    `--ssl-cert=${ca.cert}`,
    `--ssl-key=${ca.key}`,
  ]);
  const url = new URL(await mysql.createDatabase());
  const password = join(tempDir("mysql-password"), "password");
  writeFileSync(password, `${decodeURIComponent(url.password)}\n`);
  parts = {
    MYSQL_HOST: url.hostname,
    MYSQL_PORT: url.port,
    MYSQL_USER: decodeURIComponent(url.username),
    MYSQL_PASSWORD_FILE: password,
    MYSQL_DATABASE: url.pathname.slice(1),
    CACHE_TTL_SECONDS: "0",
  };
}, 60_000);
afterAll(() => mysql.stop());

/** An API that keeps trying at start: its readiness and its 503s say why. */
async function notReady(env: Record<string, string>, cause: string) {
  const api = await startTestApi({ ...parts, ...env }, { waitForStart: false });
  try {
    await waitFor("a failed attempt", () =>
      api.log.entries.some((e) => e.msg === "database not ready, retrying"),
    );
    const readiness = await api.call("GET", "/readyz");
    expect(readiness.status).toBe(503);
    expect((await readiness.json()).checks.database).toContain(cause);
    const read = await api.call("GET", "/users/x");
    expect(read.status).toBe(503);
    expect((await read.json()).error).toContain(cause);
  } finally {
    await api.stop();
  }
}

describe("MySQL 9 requiring TLS", () => {
  test("with TLS, the CA from a file and verification on: the API works", async () => {
    const api = await startTestApi({ ...parts, MYSQL_TLS: "true", MYSQL_TLS_CA_FILE: ca.ca });
    try {
      expect((await api.call("GET", "/readyz")).status).toBe(200);
      const created = await api.call("POST", "/users", { id: "t", name: "T", email: "t@x.io" });
      expect(created.status).toBe(201);
      expect(await api.read("t")).toMatchObject({ status: 200, body: { name: "T" } });
    } finally {
      await api.stop();
    }
  });

  test("without TLS: not ready, /readyz and the 503s name secure transport", () =>
    notReady({}, "ER_SECURE_TRANSPORT_REQUIRED: the server requires secure transport"));

  test("with a CA that did not sign the server's certificate: not ready, /readyz and the 503s name TLS", () =>
    notReady(
      { MYSQL_TLS: "true", MYSQL_TLS_CA_FILE: wrongCa.ca },
      "HANDSHAKE_SSL_ERROR: the TLS handshake failed",
    ));

  test("with that CA and verification off: encrypted, not verified, the API works", async () => {
    const api = await startTestApi({
      ...parts,
      MYSQL_TLS: "true",
      MYSQL_TLS_CA_FILE: wrongCa.ca,
      MYSQL_TLS_VERIFY: "false",
    });
    try {
      expect((await api.call("GET", "/users/t")).status).toBe(200);
    } finally {
      await api.stop();
    }
  });

  test("a running API whose server starts requiring TLS: 503 naming secure transport, never 500; the outage logged once", async () => {
    const admin = await mysql.admin();
    try {
      await admin.query("SET GLOBAL require_secure_transport = OFF");
      const api = await startTestApi(parts);
      try {
        expect((await api.call("GET", "/users/t")).status).toBe(200);
        await admin.query("SET GLOBAL require_secure_transport = ON");
        // Connections made before keep working: end the API's, so it has to log in again.
        const [sessions] = await admin.query(
          "SELECT id FROM information_schema.processlist WHERE user = ?",
          [parts.MYSQL_USER],
        );
        for (const { id } of sessions as Array<{ id: number }>) await admin.query(`KILL ${id}`);

        const answers: string[] = [];
        await waitFor("a 503 naming secure transport", async () => {
          const read = await api.call("GET", "/users/t");
          const { error } = await read.json();
          answers.push(`${read.status} ${error}`);
          return error.includes("ER_SECURE_TRANSPORT_REQUIRED");
        });
        // A pooled connection just killed may first fail as lost: a 503 too.
        expect(answers.filter((a) => !a.startsWith("503 database unavailable: "))).toEqual([]);
        expect(answers.at(-1)).toBe(
          "503 database unavailable: ER_SECURE_TRANSPORT_REQUIRED: the server requires secure transport: set MYSQL_TLS",
        );
        const outages = api.log.entries.filter((e) => e.msg.startsWith("database unavailable"));
        expect(outages).toHaveLength(1);
        expect(outages[0]?.fields?.error).toContain("ER_SECURE_TRANSPORT_REQUIRED");
      } finally {
        await api.stop();
      }
    } finally {
      await admin.query("SET GLOBAL require_secure_transport = ON");
      await admin.end();
    }
  });
});
