// The store contract, run against every database: embedded SQLite, a real MariaDB and MySQL 9.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { testMySqls } from "../testing/mysql-servers";
import { createMySqlStore } from "./mysql-store";
import { createSqliteStore } from "./sqlite-store";
import { Duplicate, TableMissing, type UserStore } from "./store";
import type { User } from "./user";

const stores: Array<[string, () => Promise<UserStore>]> = [
  ["sqlite", async () => createSqliteStore(":memory:")],
  ...testMySqls().map(([name, server]): [string, () => Promise<UserStore>] => [
    name,
    async () => createMySqlStore({ uri: await (await server()).createDatabase() }, "test"),
  ]),
];

const at = (iso: string) => new Date(iso);
const user = (id: string, email = `${id}@example.com`): User => ({
  id,
  name: `User ${id}`,
  email,
  createdAt: at("2025-01-02T03:04:05.678Z"),
  updatedAt: at("2025-01-02T03:04:05.678Z"),
});

describe.each(stores)("%s store", (_, open) => {
  let store: UserStore;
  beforeAll(async () => {
    store = await open();
  }, 60_000);
  afterAll(() => store.close());

  test("before migrating, reads and writes say the table is missing", async () => {
    await expect(store.get("a")).rejects.toBeInstanceOf(TableMissing);
    await expect(store.insert(user("a"))).rejects.toBeInstanceOf(TableMissing);
    await expect(store.list(10)).rejects.toThrow("call POST /init");
  });

  test("migrating is idempotent", async () => {
    await store.migrate();
    await store.migrate();
    await store.ping();
    expect(await store.list(10)).toEqual([]);
  });

  test("a user round-trips exactly, unicode and milliseconds included", async () => {
    const ada = { ...user("ada"), name: "Ada Lovelace 🧮 Zoë" };
    await store.insert(ada);
    expect(await store.get("ada")).toEqual(ada);
    expect(await store.get("nobody")).toBeUndefined();
  });

  test("a taken id or email is a Duplicate naming the field", async () => {
    await store.insert(user("dup"));
    const sameId = store.insert(user("dup", "other@example.com"));
    await expect(sameId).rejects.toBeInstanceOf(Duplicate);
    await expect(sameId).rejects.toMatchObject({ field: "id", status: 409 });
    await expect(store.insert(user("dup2", "dup@example.com"))).rejects.toMatchObject({
      field: "email",
    });
  });

  test("ids and emails compare exactly (case and accents matter)", async () => {
    await store.insert(user("Case", "zoe@example.com"));
    await store.insert(user("case", "zoë@example.com"));
    expect((await store.get("Case"))?.email).toBe("zoe@example.com");
    expect((await store.get("case"))?.email).toBe("zoë@example.com");
  });

  test("list pages through users in id order", async () => {
    const ids = (await store.list(100)).map((u) => u.id);
    expect(ids).toEqual(["Case", "ada", "case", "dup"]);
    expect((await store.list(2)).map((u) => u.id)).toEqual(["Case", "ada"]);
    expect((await store.list(2, "ada")).map((u) => u.id)).toEqual(["case", "dup"]);
    expect(await store.list(2, "dup")).toEqual([]);
  });

  test("update changes the given fields and returns the user", async () => {
    const updatedAt = at("2025-02-03T04:05:06.789Z");
    const updated = await store.update("ada", { name: "Countess", updatedAt });
    expect(updated).toEqual({ ...user("ada"), name: "Countess", updatedAt });
    expect(await store.get("ada")).toEqual(updated);
    expect(await store.update("nobody", { name: "x", updatedAt })).toBeUndefined();
    await expect(
      store.update("ada", { email: "dup@example.com", updatedAt }),
    ).rejects.toMatchObject({
      field: "email",
    });
  });

  test("delete says whether there was a user", async () => {
    expect(await store.delete("dup")).toBe(true);
    expect(await store.delete("dup")).toBe(false);
    expect(await store.get("dup")).toBeUndefined();
  });
});
