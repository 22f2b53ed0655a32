// The near cache's bounds, without Redis: an inner cache that always hits stands in for it.
import { expect, test } from "bun:test";
import type { UserCache } from "./cache";
import { NearCache } from "./near-cache";

const json = (id: string) => JSON.stringify({ id, name: "é".repeat(100) });
const alwaysHit: UserCache = {
  description: "always hit",
  lookup: (id) => ({ result: "hit", json: json(id) }),
  fill: () => {},
  invalidate: () => {},
  close: () => {},
};

test("NEAR_CACHE_MAX_BYTES counts each user's JSON and its ready answer's UTF-8 body", async () => {
  const entry = json("u-1");
  // UTF-16 JSON and key, plus the UTF-8 body: 'é' is 2 bytes there, so 3 entries need more
  // than 3 x (2 x UTF-16 length) alone would say.
  const size = 2 * (entry.length + "u-1".length) + Buffer.byteLength(entry);
  const near = new NearCache(alwaysHit, {
    maxEntries: 100,
    maxBytes: 3 * size - 1,
    ttlSeconds: 60,
  });
  near.up();
  for (const id of ["u-1", "u-2", "u-3"]) await near.lookup(id);
  expect(near.size).toBe(2); // the third pushed the least recent out
  expect(near.peek("u-1")).toBeUndefined();
  expect(near.peek("u-3")?.json).toBe(json("u-3"));
});
