// The users API over HTTP, on both set-ups: embedded SQLite with the in-process cache, and a
// real MariaDB with a real Redis.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, spyOn, test } from "bun:test";
import { join } from "node:path";
import { sharedMySql } from "../testing/mariadb";
import { sharedRedis } from "../testing/redis";
import { tempDir } from "../testing/server-process";
import { startTestApi, type TestApi } from "./test-server";

// Tests that start, stop or wait for real servers take seconds, not milliseconds.
setDefaultTimeout(60_000);

const setups: Array<[string, () => Promise<Record<string, string>>]> = [
  ["sqlite + in-process cache", async () => ({ SQLITE_PATH: join(tempDir("sqlite"), "users.db") })],
  [
    "mariadb + redis",
    async () => ({
      MYSQL_URL: await (await sharedMySql()).createDatabase(),
      REDIS_URL: (await sharedRedis()).url,
    }),
  ],
];

describe.each(setups)("users API on %s", (_, environment) => {
  let api: TestApi;
  let env: Record<string, string>;
  beforeAll(async () => {
    env = await environment();
    api = await startTestApi({ ...env, MIGRATE_ON_START: "false" });
  }, 60_000);
  afterAll(() => api.stop());

  test("before POST /init, user routes answer 503 saying to call it", async () => {
    const response = await api.call("GET", "/users/someone");
    expect(response.status).toBe(503);
    expect((await response.json()).error).toContain("call POST /init");
    expect((await api.call("POST", "/users", { name: "A", email: "a@example.com" })).status).toBe(
      503,
    );
    // The database itself is usable, so the pod is ready and /init can be reached.
    expect((await api.call("GET", "/readyz")).status).toBe(200);
  });

  test("POST /init creates the table, and again is harmless", async () => {
    for (let i = 0; i < 2; i++) {
      const response = await api.call("POST", "/init");
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ status: "initialized" });
    }
  });

  test("POST /users adds a user: 201, Location, email in lower case", async () => {
    const response = await api.call("POST", "/users", {
      id: "ada",
      name: "Ada Lovelace",
      email: "Ada@Example.com",
    });
    expect(response.status).toBe(201);
    expect(response.headers.get("location")).toBe("/users/ada");
    const user = await response.json();
    expect(user).toMatchObject({ id: "ada", name: "Ada Lovelace", email: "ada@example.com" });
    expect(user.createdAt).toBe(user.updatedAt);
    expect(new Date(user.createdAt).toISOString()).toBe(user.createdAt);
  });

  test("without an id, a UUIDv7 is generated", async () => {
    const user = await (
      await api.call("POST", "/users", { name: "Bob", email: "bob@example.com" })
    ).json();
    expect(user.id).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  test("the seed's user: an integer id is stored and served as its decimal string", async () => {
    const response = await api.call("POST", "/users", {
      id: 1,
      name: "Alice",
      email: "alice@example.com",
    });
    expect(response.status).toBe(201);
    expect(response.headers.get("location")).toBe("/users/1");
    expect(await response.json()).toMatchObject({ id: "1", name: "Alice" });
    expect(await api.read("1")).toMatchObject({ status: 200, body: { id: "1", name: "Alice" } });
    // The same user, whichever way its id is written.
    const again = await api.call("POST", "/users", { id: "1", name: "A", email: "a1@example.com" });
    expect(again.status).toBe(409);
    for (const id of [1.5, -1, "a!"]) {
      const bad = await api.call("POST", "/users", { id, name: "A", email: "a2@example.com" });
      expect(bad.status).toBe(422);
      expect((await bad.json()).fields).toEqual([
        { field: "id", problem: "should be 1-64 letters, digits, _ or -, or a whole number" },
      ]);
    }
    expect((await api.call("DELETE", "/users/1")).status).toBe(204);
  });

  test("a missing required field says required", async () => {
    const response = await api.call("POST", "/users", { email: "nameless@example.com" });
    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({
      error: "invalid body: name",
      fields: [{ field: "name", problem: "required" }],
    });
  });

  test("a taken id or email (in any case) is a 409 naming the field", async () => {
    const sameId = await api.call("POST", "/users", {
      id: "ada",
      name: "X",
      email: "x@example.com",
    });
    expect(sameId.status).toBe(409);
    expect(await sameId.json()).toEqual({
      error: "a user with this id already exists",
      field: "id",
    });
    const sameEmail = await api.call("POST", "/users", { name: "X", email: "ADA@example.COM" });
    expect(sameEmail.status).toBe(409);
    expect((await sameEmail.json()).field).toBe("email");
  });

  test.each([
    ["no name", { email: "n@example.com" }, "name"],
    ["an empty name", { name: "", email: "n@example.com" }, "name"],
    ["a bad email", { name: "N", email: "not-an-email" }, "email"],
    ["a bad id", { id: "a/b", name: "N", email: "n@example.com" }, "id"],
    ["an array", [{ name: "N" }], "name"],
  ])("POST /users with %s is a 422 naming it", async (_, body, field) => {
    const response = await api.call("POST", "/users", body);
    expect(response.status).toBe(422);
    const error = await response.json();
    expect(error.error).toStartWith("invalid body");
    expect(error.fields.map((f: { field: string }) => f.field)).toContain(field);
  });

  test("malformed JSON is a 400, an oversized body a 413", async () => {
    const malformed = await api.call("POST", "/users", '{"name": "A",');
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).error).toStartWith("malformed JSON body");
    const huge = await api.call("POST", "/users", {
      name: "x".repeat(70_000),
      email: "h@example.com",
    });
    expect(huge.status).toBe(413);
  });

  test("GET /users/:id is a MISS, then a HIT with the same body", async () => {
    const first = await api.read("ada");
    expect(first).toMatchObject({ status: 200, cache: "MISS" });
    expect(first.body).toMatchObject({ id: "ada", email: "ada@example.com" });
    const second = await api.read("ada");
    expect(second).toEqual({ ...first, cache: "HIT" });
  });

  test("an unknown id is a JSON 404; a malformed one a 422", async () => {
    expect(await api.read("nobody")).toEqual({
      status: 404,
      cache: "MISS",
      body: { error: 'no user with id "nobody"', id: "nobody" },
    });
    expect((await api.call("GET", "/users/bad.id")).status).toBe(422);
  });

  test("PATCH changes the user, and the next read sees it at once", async () => {
    await api.read("ada"); // cached
    const response = await api.call("PATCH", "/users/ada", { name: "Countess" });
    expect(response.status).toBe(200);
    const patched = await response.json();
    expect(patched).toMatchObject({ id: "ada", name: "Countess", email: "ada@example.com" });
    expect(patched.updatedAt >= patched.createdAt).toBe(true);
    expect(await api.read("ada")).toEqual({ status: 200, cache: "MISS", body: patched });
    expect((await api.read("ada")).cache).toBe("HIT");
  });

  test("concurrent PATCHes of one user each answer the row their own write produced", async () => {
    const created = await api.call("POST", "/users", {
      id: "racer",
      name: "racer",
      email: "racer@example.com",
    });
    expect(created.status).toBe(201);
    const wrong: string[] = [];
    for (let round = 0; round < 40; round++) {
      const names = Array.from({ length: 6 }, (_, writer) => `round ${round} writer ${writer}`);
      const answers = await Promise.all(
        names.map(async (name) => {
          const response = await api.call("PATCH", "/users/racer", { name });
          expect(response.status).toBe(200);
          return (await response.json()).name;
        }),
      );
      answers.forEach((answer, i) => {
        if (answer !== names[i]) wrong.push(`${names[i]} answered ${answer}`);
      });
    }
    expect((await api.call("DELETE", "/users/racer")).status).toBe(204);
    expect(wrong).toEqual([]);
  });

  test("PATCH answers 422 for nothing to change, 404 for nobody, 409 for a taken email", async () => {
    expect((await api.call("PATCH", "/users/ada", {})).status).toBe(422);
    // Unknown fields are dropped before validation, so a typo alone changes nothing: 422.
    expect((await api.call("PATCH", "/users/ada", { nmae: "typo" })).status).toBe(422);
    expect((await api.call("PATCH", "/users/ada", { email: "nope" })).status).toBe(422);
    expect((await api.call("PATCH", "/users/nobody", { name: "X" })).status).toBe(404);
    const taken = await api.call("PATCH", "/users/ada", { email: "BOB@example.com" });
    expect(taken.status).toBe(409);
    expect((await taken.json()).field).toBe("email");
  });

  test("DELETE is a 204, then the user is gone (404), cache included", async () => {
    await api.call("POST", "/users", { id: "gone", name: "G", email: "gone@example.com" });
    await api.read("gone");
    expect((await api.read("gone")).cache).toBe("HIT");
    const response = await api.call("DELETE", "/users/gone");
    expect(response.status).toBe(204);
    expect(await response.text()).toBe("");
    expect((await api.read("gone")).status).toBe(404);
    expect((await api.call("DELETE", "/users/gone")).status).toBe(404);
  });

  test("GET /users pages through every user in id order", async () => {
    for (const id of ["p1", "p2", "p3"])
      await api.call("POST", "/users", { id, name: id, email: `${id}@example.com` });
    const seen: string[] = [];
    let after = "";
    for (;;) {
      const response = await api.call("GET", `/users?limit=2${after ? `&after=${after}` : ""}`);
      expect(response.status).toBe(200);
      const page = await response.json();
      expect(page.users.length).toBeLessThanOrEqual(2);
      seen.push(...page.users.map((u: { id: string }) => u.id));
      if (page.next === null) break;
      after = page.next;
    }
    expect(seen).toEqual([...seen].sort());
    expect(seen).toEqual(expect.arrayContaining(["ada", "p1", "p2", "p3"]));
    expect(seen).toHaveLength(5);
    expect((await api.call("GET", "/users?limit=0")).status).toBe(422);
    expect((await api.call("GET", "/users?limit=many")).status).toBe(422);
  });

  test("concurrent misses of one id reach the database once", async () => {
    await api.call("POST", "/users", { id: "crowd", name: "C", email: "crowd@example.com" });
    const get = spyOn(api.service.store, "get");
    try {
      const reads = await Promise.all(Array.from({ length: 30 }, () => api.read("crowd")));
      expect(get).toHaveBeenCalledTimes(1);
      expect(new Set(reads.map((read) => JSON.stringify(read.body))).size).toBe(1);
      expect(reads.every((read) => read.status === 200)).toBe(true);
    } finally {
      get.mockRestore();
    }
  });

  test("a read that raced a write does not put the old user back in the cache", async () => {
    await api.call("POST", "/users", { id: "race", name: "Old", email: "race@example.com" });
    const store = api.service.store;
    const realGet = store.get.bind(store);
    const { promise: readDone, resolve: finishRead } = Promise.withResolvers<void>();
    const { promise: readStarted, resolve: started } = Promise.withResolvers<void>();
    // The read gets the old row, then waits while a write lands, then tries to fill the cache.
    const get = spyOn(store, "get").mockImplementationOnce(async (id) => {
      const old = await realGet(id);
      started();
      await readDone;
      return old;
    });
    try {
      const racingRead = api.read("race");
      await readStarted;
      expect((await api.call("PATCH", "/users/race", { name: "New" })).status).toBe(200);
      finishRead();
      expect((await racingRead).body.name).toBe("Old");
      expect(await api.read("race")).toMatchObject({ cache: "MISS", body: { name: "New" } });
      expect(await api.read("race")).toMatchObject({ cache: "HIT", body: { name: "New" } });
    } finally {
      get.mockRestore();
    }
  });

  test("a known path with another method is a 405 with Allow; an unknown path a 404", async () => {
    for (const [method, path, allow] of [
      ["PUT", "/users/1", "DELETE, GET, HEAD, PATCH"],
      ["DELETE", "/users", "GET, HEAD, POST"],
      ["GET", "/init", "POST"],
    ]) {
      const response = await api.call(method as string, path as string);
      expect(response.status).toBe(405);
      expect(response.headers.get("allow")).toBe(allow as string);
      expect(await response.json()).toEqual({
        error: `${method} is not allowed on ${path}`,
        allow: (allow as string).split(", "),
      });
    }
    const trace = await api.call("TRACE", "/init");
    expect(trace.status).toBe(405);
    expect(trace.headers.get("allow")).toBe("POST");
    expect((await api.call("PUT", "/nope")).status).toBe(404);
    expect((await api.call("GET", "/users/a/b")).status).toBe(404);
  });

  test("/metrics counts cache results and times database queries", async () => {
    const metrics = await (await api.call("GET", "/metrics")).text();
    expect(metrics).toMatch(/users_cache_lookups_total\{result="hit"\} [1-9]/);
    expect(metrics).toMatch(/users_cache_lookups_total\{result="miss"\} [1-9]/);
    expect(metrics).toContain(
      'users_db_query_duration_seconds_count{operation="get",outcome="ok"}',
    );
    expect(metrics).toContain('http_requests_total{method="GET",route="/users/:id",status="200"}');
  });

  test("the OpenAPI document describes every route from its schemas", async () => {
    const response = await api.call("GET", "/openapi/json");
    expect(response.status).toBe(200);
    const document = await response.json();
    expect(Object.keys(document.paths).sort()).toEqual(["/init", "/users", "/users/{id}"]);
    expect(Object.keys(document.paths["/users/{id}"]).sort()).toEqual(["delete", "get", "patch"]);
    const create = document.paths["/users"].post;
    expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(["201", "409", "422"]));
    // Every write documents its 503 whose outcome may be unknown.
    for (const write of [
      create,
      document.paths["/users/{id}"].patch,
      document.paths["/users/{id}"].delete,
    ]) {
      expect(write.description).toContain('"outcome": "unknown"');
      expect(JSON.stringify(write.responses["503"])).toContain("outcome");
    }
    const ui = await api.call("GET", "/openapi");
    expect(ui.status).toBe(200);
    expect(ui.headers.get("content-type")).toContain("text/html");
  });

  test("with CACHE_TTL_SECONDS=0 every read bypasses the cache", async () => {
    const uncached = await startTestApi({ ...env, CACHE_TTL_SECONDS: "0" });
    try {
      expect((await uncached.read("ada")).cache).toBe("BYPASS");
      expect(await uncached.read("ada")).toMatchObject({ status: 200, cache: "BYPASS" });
    } finally {
      await uncached.stop();
    }
  });

  test("a cached entry expires after CACHE_TTL_SECONDS", async () => {
    const shortLived = await startTestApi({ ...env, CACHE_TTL_SECONDS: "1" });
    try {
      await shortLived.read("ada");
      expect((await shortLived.read("ada")).cache).toBe("HIT");
      await Bun.sleep(1_100);
      expect((await shortLived.read("ada")).cache).toBe("MISS");
    } finally {
      await shortLived.stop();
    }
  });
});
