// The users API over HTTP, on every set-up: embedded SQLite with the in-process cache, and a
// real MariaDB or MySQL 9 with a real Redis.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, spyOn, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { testMySqls } from "../testing/mysql-servers";
import { sharedRedis } from "../testing/redis";
import { tempDir } from "../testing/server-process";
import { startTestApi, type TestApi } from "../testing/users-api";
import { HIDDEN_PATHS } from "./app";
import { openApiErrors, undocumented, unobserved } from "./openapi-contract";

// Tests that start, stop or wait for real servers take seconds, not milliseconds.
setDefaultTimeout(60_000);

const setups: Array<[string, () => Promise<Record<string, string>>]> = [
  ["sqlite + in-process cache", async () => ({ SQLITE_PATH: join(tempDir("sqlite"), "users.db") })],
  ...testMySqls().map(([name, server]): [string, () => Promise<Record<string, string>>] => [
    `${name} + redis`,
    async () => ({
      MYSQL_URL: await (await server()).createDatabase(),
      REDIS_URL: (await sharedRedis()).url,
    }),
  ]),
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
    for (const [method, path, body] of [
      ["GET", "/users"],
      ["PATCH", "/users/someone", { name: "B" }],
      ["DELETE", "/users/someone"],
    ] as const)
      expect((await api.call(method, path, body)).status).toBe(503);
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
    ["an array", [{ name: "N" }], "(body)"],
  ])("POST /users with %s is a 422 naming it", async (_, body, field) => {
    const response = await api.call("POST", "/users", body);
    expect(response.status).toBe(422);
    const error = await response.json();
    expect(error.error).toStartWith("invalid body");
    expect(error.fields.map((f: { field: string }) => f.field)).toContain(field);
  });

  test("emails a mail system accepts are valid (RFC 5322 dot-atom), others a 422", async () => {
    for (const email of ["#d-9e@uc6z.6j7wd5v.org", "/j3@d.dev", "o'hara+tag@sub.example.co.uk"]) {
      const response = await api.call("POST", "/users", { name: "Mail", email });
      expect({ email, status: response.status }).toEqual({ email, status: 201 });
      const user = await response.json();
      expect(user.email).toBe(email.toLowerCase());
      expect((await api.call("DELETE", `/users/${user.id}`)).status).toBe(204);
    }
    for (const email of ["a@b", "a..b@x.org", ".a@x.org", "x@-bad.org", "a b@x.org", "é@x.org"]) {
      const response = await api.call("POST", "/users", { name: "Mail", email });
      expect({ email, status: response.status }).toEqual({ email, status: 422 });
      expect((await response.json()).fields).toEqual([
        { field: "email", problem: "should be an email address such as ada@example.com" },
      ]);
    }
  });

  test("a name is 1-200 Unicode characters, not blank, without lone surrogates", async () => {
    const problem = "should be 1-200 Unicode characters, not only white space, no lone surrogates";
    const emoji = "\u{1F600}"; // two UTF-16 units, one character
    const ok = await api.call("POST", "/users", {
      name: emoji.repeat(200),
      email: "e1@example.com",
    });
    expect(ok.status).toBe(201);
    const user = await ok.json();
    expect(user.name).toBe(emoji.repeat(200));
    expect((await api.call("DELETE", `/users/${user.id}`)).status).toBe(204);
    for (const body of [
      JSON.stringify({ name: emoji.repeat(201), email: "e2@example.com" }),
      JSON.stringify({ name: " \t\n", email: "e3@example.com" }),
      // A lone surrogate, as JSON escapes it: refused, not stored as U+FFFD.
      '{"name":"a\\ud800b","email":"e4@example.com"}',
    ]) {
      const response = await api.call("POST", "/users", body);
      expect(response.status).toBe(422);
      expect((await response.json()).fields).toEqual([{ field: "name", problem }]);
    }
    const patch = await api.call("PATCH", "/users/ada", '{"name":"\\udfff"}');
    expect(patch.status).toBe(422);
    // A surrogate encoded in the bytes (CESU-8) is not UTF-8: refused, not replaced.
    const bytes = Buffer.concat([
      Buffer.from('{"name":"a'),
      Buffer.from([0xed, 0xa0, 0x80]),
      Buffer.from('b","email":"e5@example.com"}'),
    ]);
    const raw = await api.call("POST", "/users", bytes);
    expect(raw.status).toBe(400);
    expect(await raw.json()).toEqual({ error: "malformed JSON body: it is not valid UTF-8" });
  });

  test("malformed JSON is a 400, an oversized body a 413", async () => {
    for (const method of ["POST", "PATCH"]) {
      const malformed = await api.call(method, method === "POST" ? "/users" : "/users/ada", "{");
      expect(malformed.status).toBe(400);
      expect((await malformed.json()).error).toStartWith("malformed JSON body");
    }
    const hugePatch = await api.call("PATCH", "/users/ada", { name: "x".repeat(70_000) });
    expect(hugePatch.status).toBe(413);
    const huge = await api.call("POST", "/users", {
      name: "x".repeat(70_000),
      email: "h@example.com",
    });
    expect(huge.status).toBe(413);
  });

  test("every oversized body gets the JSON 413, counted in http_requests_total", async () => {
    const count = async () => {
      const metrics = await (await api.call("GET", "/metrics")).text();
      const line = /http_requests_total\{method="POST",route="\/users",status="413"\} (\d+)/;
      return Number(line.exec(metrics)?.[1] ?? 0);
    };
    const before = await count();
    const name = "x".repeat(2 * 1024 * 1024); // beyond Bun's own default limit, too
    const sized = await api.call("POST", "/users", { name, email: "h@example.com" });
    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        // No content-length: only reading tells the size.
        for (let i = 0; i < 200; i++) controller.enqueue(new Uint8Array(10_000).fill(120));
        controller.close();
      },
    });
    const chunked = await fetch(`${api.base}/users/ada`, { method: "PATCH", body: chunks });
    for (const [response, size] of [
      [sized, `${JSON.stringify({ name, email: "h@example.com" }).length} bytes`],
      [chunked, "a chunked body"],
    ] as const) {
      expect(response.status).toBe(413);
      // The unread rest of the body must not keep the connection (and a graceful stop) waiting.
      expect(response.headers.get("connection")).toBe("close");
      expect(response.headers.get("content-type")).toContain("application/json");
      expect(await response.json()).toEqual({
        error: `request body too large: ${size}, the limit is 65536 bytes`,
      });
    }
    expect(await count()).toBe(before + 1);
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
    expect((await api.call("DELETE", "/users/bad.id")).status).toBe(422);
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
    expect((await api.call("GET", "/users?limit=100")).status).toBe(200);
  });

  test.each([
    ["limit=", "should be one whole number from 1 to 100, in digits"],
    ["limit=0", "should be one whole number from 1 to 100, in digits"],
    ["limit=101", "should be one whole number from 1 to 100, in digits"],
    ["limit=1e2", "should be one whole number from 1 to 100, in digits"],
    ["limit=0x10", "should be one whole number from 1 to 100, in digits"],
    ["limit=%202", "should be one whole number from 1 to 100, in digits"],
    ["limit=many", "should be one whole number from 1 to 100, in digits"],
    ["limit=2&limit=3", "should be given once"],
  ])("GET /users?%s is a 422 naming limit", async (query, problem) => {
    const response = await api.call("GET", `/users?${query}`);
    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({
      error: "invalid query: limit",
      fields: [{ field: "limit", problem }],
    });
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

  test("a duplicate (409) is timed as a conflict, not as a database error", async () => {
    const count = async (outcome: string) => {
      const metrics = await (await api.call("GET", "/metrics")).text();
      const series = `users_db_query_duration_seconds_count{operation="insert",outcome="${outcome}"}`;
      return Number(
        metrics
          .split("\n")
          .find((line) => line.startsWith(`${series} `))
          ?.split(" ")[1] ?? 0,
      );
    };
    const [errors, conflicts] = [await count("error"), await count("conflict")];
    const taken = await api.call("POST", "/users", {
      id: "ada",
      name: "A",
      email: "t@example.com",
    });
    expect(taken.status).toBe(409);
    expect([await count("error"), await count("conflict")]).toEqual([errors, conflicts + 1]);
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
  });

  test("the docs page works offline: no external URL, Scalar's script from the npm package", async () => {
    const ui = await api.call("GET", "/openapi");
    expect(ui.status).toBe(200);
    expect(ui.headers.get("content-type")).toContain("text/html");
    const html = await ui.text();
    expect(html.match(/(https?:)?\/\/[^\s"'<>]+/g)).toBeNull();
    const src = /<script src="([^"]+)"/.exec(html)?.[1];
    expect(src).toBe("/openapi/scalar.js");
    const script = await api.call("GET", src as string);
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toContain("javascript");
    const packaged = readFileSync(
      join(import.meta.dir, "../../node_modules/@scalar/api-reference/dist/browser/standalone.js"),
    );
    expect(Buffer.from(await script.arrayBuffer()).equals(packaged)).toBe(true);
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

  // Last: it checks every answer the tests above saw.
  test("the served OpenAPI document is valid and documents every answer the tests saw", async () => {
    const document = await (await api.call("GET", "/openapi/json")).json();
    expect(await openApiErrors(document)).toEqual([]);
    const observed = await api.observed();
    const statuses = new Set(observed.map(({ status }) => status));
    for (const status of [200, 201, 204, 400, 404, 405, 409, 413, 422, 503])
      expect(statuses).toContain(status);
    expect(undocumented(document, observed, HIDDEN_PATHS)).toEqual([]);
    // And every documented answer was seen: /init's 503 needs the database down (faults.test.ts).
    expect(unobserved(document, observed)).toEqual(["POST /init 503"]);
  });
});
