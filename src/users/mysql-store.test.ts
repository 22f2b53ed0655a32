// What only the MySQL store does: migrations of replicas starting together, and the errors
// of a server that is not there or refuses the login, and the server defaults the chart gives.
import { describe, expect, test } from "bun:test";
import mysql from "mysql2/promise";
import { testMySqls } from "../testing/mysql-servers";
import { freePort } from "../testing/processes";
import { createMySqlStore } from "./mysql-store";
import { DatabaseUnavailable } from "./store";

describe.each(testMySqls())("MySQL store on %s", (_, sharedMySql) => {
  test("replicas migrating at the same moment take turns, and all succeed", async () => {
    const uri = await (await sharedMySql()).createDatabase();
    const replicas = Array.from({ length: 4 }, () => createMySqlStore({ uri }, "replica"));
    try {
      await Promise.all(replicas.map((store) => store.migrate()));
      expect(await replicas[0]?.list(10)).toEqual([]);
    } finally {
      await Promise.all(replicas.map((store) => store.close()));
    }
  }, 60_000);

  test("the server's defaults are utf8mb4, as the chart gives MySQL (mysql.primary.extraFlags)", async () => {
    const session = await mysql.createConnection({
      uri: await (await sharedMySql()).createDatabase(),
    });
    try {
      const [rows] = await session.query(
        "SELECT @@character_set_server AS server, DEFAULT_CHARACTER_SET_NAME AS db FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = DATABASE()",
      );
      expect(rows as unknown[]).toEqual([{ server: "utf8mb4", db: "utf8mb4" }]);
    } finally {
      await session.end();
    }
  });

  test("no server listening: DatabaseUnavailable naming the socket error", async () => {
    const store = createMySqlStore(
      { uri: `mysql://demo:pw@127.0.0.1:${await freePort()}/demo` },
      "none",
    );
    try {
      await expect(store.ping()).rejects.toBeInstanceOf(DatabaseUnavailable);
      await expect(store.get("x")).rejects.toThrow("ECONNREFUSED");
    } finally {
      await store.close();
    }
  });

  test("a wrong password: DatabaseUnavailable saying access was denied", async () => {
    const url = new URL(await (await sharedMySql()).createDatabase());
    url.password = "wrong";
    const store = createMySqlStore({ uri: url.href }, "wrong password");
    try {
      await expect(store.ping()).rejects.toThrow("ER_ACCESS_DENIED_ERROR");
    } finally {
      await store.close();
    }
  }, 60_000);
});
