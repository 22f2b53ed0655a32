import { describe, expect, test } from "bun:test";
import { describeSql, sanitizeSql } from "./tracing-channels";

describe("SQL spans leave every value out", () => {
  test("mysql2's query() inlines values: strings, numbers and hex become ?", () => {
    const inlined =
      "insert into `users` (`id`, `email`, `age`) values ('01a2-b3', 'o\\'neil@example.com', 42), (x'ff', 0x1F, 1.5e3)";
    const text = sanitizeSql(inlined);
    expect(text).toBe("insert into `users` (`id`, `email`, `age`) values (?, ?, ?), (x?, ?, ?)");
    expect(text).not.toContain("example.com");
  });

  test("identifiers keep their digits, placeholders stay", () => {
    expect(sanitizeSql("select `t1`.`c2` from t1 where users2.id = ? limit 21")).toBe(
      "select `t1`.`c2` from t1 where users2.id = ? limit ?",
    );
  });

  test("the span is named by operation and table, with the DB semantic conventions", () => {
    const described = describeSql({
      query: "SELECT `id` FROM `users` WHERE `email` = 'secret@example.com'",
      database: "demo",
      serverAddress: "db",
      serverPort: 3306,
    });
    expect(described.name).toBe("SELECT users");
    expect(described.attributes).toEqual({
      "db.system.name": "mysql",
      "db.namespace": "demo",
      "db.operation.name": "SELECT",
      "db.collection.name": "users",
      "db.query.text": "SELECT `id` FROM `users` WHERE `email` = ?",
      "server.address": "db",
      "server.port": 3306,
    });
    expect(describeSql({ query: "create table if not exists `t` (id int)" }).name).toBe("CREATE t");
  });
});
