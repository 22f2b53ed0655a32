// The near cache across two replicas of the API on one Redis and one MariaDB: a writer on one,
// readers on both. Asserted: no stale read on the writer's replica, the other converging (only
// an invalidation can do that: the TTL is an hour), no entry surviving a lost channel, and a
// Redis that refuses CLIENT TRACKING turning it off. The stale window's figures are the
// benchmark's (scripts/bench/near-cache.ts), not a timing assertion here.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { Redis } from "ioredis";
import { testMySqls } from "../testing/mysql-servers";
import { LocalRedis } from "../testing/redis";
import { startTestApi, type TestApi } from "../testing/users-api";
import { waitFor } from "../testing/wait";
import type { NearCache } from "./near-cache";

setDefaultTimeout(60_000);

const mariadb = testMySqls()[0]?.[1];
if (!mariadb) throw new Error("no MySQL server for the tests");

describe("near cache, two replicas", () => {
  let redis: LocalRedis;
  let admin: Redis;
  let a: TestApi;
  let b: TestApi;
  const keyPrefix = `test-${crypto.randomUUID()}:`;
  const near = (api: TestApi) => api.service.cache as NearCache;

  beforeAll(async () => {
    redis = await LocalRedis.start();
    admin = new Redis(redis.url);
    const env = {
      MYSQL_URL: await (await mariadb()).createDatabase(),
      REDIS_URL: redis.url,
      CACHE_TTL_SECONDS: "3600",
    };
    [a, b] = await Promise.all([
      startTestApi(env, { keyPrefix }),
      startTestApi(env, { keyPrefix }),
    ]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([a.stop(), b.stop()]);
    admin.disconnect();
    await redis.stop();
  });

  const add = async (api: TestApi, id: string) =>
    expect(
      (await api.call("POST", "/users", { id, name: "v0", email: `${id}@example.com` })).status,
    ).toBe(201);
  /** Reads until `api` serves `id` from its near cache (MISS, then HIT, then HIT-LOCAL). */
  const nearCached = (api: TestApi, id: string) =>
    waitFor(`${id} in the near cache`, async () => {
      const read = await api.read(id);
      return read.cache === "HIT-LOCAL" && read.body;
    });

  test("a change in Redis by another client reaches the near cache (invalidations arrive)", async () => {
    await add(a, "probe");
    const cached = await nearCached(b, "probe");
    await admin.set(`${keyPrefix}probe`, JSON.stringify({ ...cached, name: "set in Redis" }));
    await waitFor(
      "the new entry",
      async () => (await b.read("probe")).body.name === "set in Redis",
    );
    expect((await nearCached(b, "probe")).name).toBe("set in Redis");
  });

  test("a near-cache hit is answered at once: a settled answer, no promise to wait for", async () => {
    await add(a, "sync");
    const cached = await nearCached(a, "sync");
    for (let read = 0; read < 2; read++) {
      // The route's own answer (what Bun.serve is handed), not over HTTP.
      const answer = a.app.fetch(new Request(`${a.base}/users/sync`));
      expect(Bun.peek.status(answer)).toBe("fulfilled");
      const response = await answer;
      expect(response.status).toBe(200);
      expect(response.headers.get("x-cache")).toBe("HIT-LOCAL");
      expect(response.headers.get("content-type")).toBe("application/json;charset=utf-8");
      expect(await response.json()).toEqual(cached);
    }
    // Changed: the next answer is the new user, made anew.
    expect((await a.call("PATCH", "/users/sync", { name: "v1" })).status).toBe(200);
    expect((await nearCached(a, "sync")).name).toBe("v1");
  });

  test("writes on one replica: no stale read there, the other converges", async () => {
    await add(a, "w");
    await Promise.all([nearCached(a, "w"), nearCached(b, "w")]);
    const version = (body: { name: string }) => Number(body.name.slice(1));
    let answered = 0; // the last version whose PATCH was answered
    let stale = 0;
    let writing = true;
    // Readers on the writer's replica: a read sent after a write's answer must see it.
    const readers = Array.from({ length: 4 }, async () => {
      let reads = 0;
      while (writing) {
        const floor = answered;
        const read = await a.read("w");
        if (version(read.body) < floor) stale += 1;
        reads += 1;
      }
      return reads;
    });
    // Readers on the other replica keep its near cache busy meanwhile.
    const others = Array.from({ length: 2 }, async () => {
      while (writing) expect((await b.read("w")).status).toBe(200);
    });
    for (let i = 1; i <= 20; i++) {
      const response = await a.call("PATCH", "/users/w", { name: `v${i}` });
      expect(response.status).toBe(200);
      answered = i;
      expect(version((await a.read("w")).body)).toBe(i);
      await waitFor(
        `replica b to serve v${i}`,
        async () => version((await b.read("w")).body) === i,
      );
    }
    writing = false;
    expect((await Promise.all(readers)).every((reads) => reads > 0)).toBe(true);
    await Promise.all(others);
    expect(stale).toBe(0);
    // Both serve the last version from their near cache again.
    expect(version(await nearCached(b, "w"))).toBe(20);
    expect(version(await nearCached(a, "w"))).toBe(20);
  });

  for (const [connection, type] of [
    ["the invalidation subscriber", "pubsub"],
    ["the tracking connection", "normal"],
  ] as const)
    test(`${connection} killed: the near cache is emptied and bypassed until it is back`, async () => {
      const id = `kill-${type}`;
      await add(a, id);
      const cached = await nearCached(b, id);
      // Killed (the admin connection itself is spared), then the entry changed at once: while
      // the channel is down no message can say so, so only the flush keeps b from the old one.
      await admin.call("CLIENT", "KILL", "TYPE", type);
      await admin.set(`${keyPrefix}${id}`, JSON.stringify({ ...cached, name: "changed" }));
      await waitFor("the changed entry", async () => (await b.read(id)).body.name === "changed");
      expect(b.log.entries.some((e) => e.msg.startsWith("near cache off: its invalidation"))).toBe(
        true,
      );
      // Back: tracking set again, the near cache serves.
      expect((await nearCached(b, id)).name).toBe("changed");
      await waitFor("the end logged", () =>
        b.log.entries.some((e) => e.msg === "near cache on: invalidations arrive again"),
      );
      expect(near(b).isLive).toBe(true);
    });

  test("a Redis that refuses CLIENT TRACKING: the near cache turns itself off, logged once", async () => {
    const refusing = await LocalRedis.start();
    const acl = new Redis(refusing.url);
    await acl.call("ACL", "SETUSER", "default", "-client|tracking");
    acl.disconnect();
    const api = await startTestApi({
      MYSQL_URL: await (await mariadb()).createDatabase(),
      REDIS_URL: refusing.url,
    });
    try {
      const off = () => api.log.entries.filter((e) => e.msg.includes("cannot track keys"));
      await waitFor("the near cache turned off", () => off().length > 0);
      await add(api, "plain");
      await waitFor("a Redis HIT", async () => (await api.read("plain")).cache === "HIT");
      expect((await api.read("plain")).cache).toBe("HIT");
      expect(near(api).isLive).toBe(false);
      expect(off()).toHaveLength(1);
    } finally {
      await api.stop();
      await refusing.stop();
    }
  });
});
