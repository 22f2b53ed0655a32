// The read cache contract (cache-aside), and the two caches without a server: in-process
// (no REDIS_* configured) and none at all (CACHE_TTL_SECONDS=0).
import { Counter } from "prom-client";
import { hotCounter } from "./hot-counter";

/**
 * A lookup's result. A miss carries a token: `fill` stores only if no write invalidated the
 * id since, so a read that raced a write can never put the old value back.
 */
export type Lookup =
  | { result: "hit"; json: string }
  /** Served by the near cache (near-cache.ts), without asking Redis. */
  | { result: "local"; json: string }
  | { result: "miss"; token: string }
  | { result: "bypass" };

/** A lookup that found the user. */
export type Hit = Extract<Lookup, { json: string }>;

export interface UserCache {
  readonly description: string;
  lookup(id: string): Promise<Lookup> | Lookup;
  /**
   * The user if this cache holds it in process (the near cache, the in-process cache), found
   * without I/O and counted as `lookup` counts it; undefined, counted nowhere: ask `lookup`.
   * The same object each time until the entry changes: the route keeps its answer by it.
   */
  peek?(id: string): Hit | undefined;
  fill(id: string, token: string, json: string): Promise<void> | void;
  /** Drops the entry after a write; a failed drop is retried when the cache returns. */
  invalidate(id: string): Promise<void> | void;
  close(): Promise<void> | void;
}

/** Reads of GET /users/:id by the result of their lookup: `cacheLookups[result] += 1`. */
export const cacheLookups = hotCounter({
  name: "users_cache_lookups_total",
  help: "Reads of GET /users/:id by cache result: local (near cache), hit (Redis), miss, or bypass (cache unusable or off).",
  label: "result",
  values: ["local", "hit", "miss", "bypass"],
});

export const cacheErrors = new Counter({
  name: "users_cache_errors_total",
  help:
    "Cache commands that failed, by operation (lookup, fill, invalidate, connection) and kind " +
    "(connection, or the error word Redis answered: OOM, ERR...).",
  labelNames: ["operation", "kind"] as const,
});

/** No cache: every read goes to the database. */
export const noCache: UserCache = {
  description: "off",
  lookup: () => ({ result: "bypass" }),
  fill: () => {},
  invalidate: () => {},
  close: () => {},
};

/** An in-process cache with a TTL, bounded in entries (oldest dropped first). */
export function createMemoryCache(ttlSeconds: number, maxEntries = 10_000): UserCache {
  const entries = new Map<string, { hit: Hit; expires: number }>();
  // Any write moves this on, which voids every outstanding miss token (simple and safe).
  let writes = 0;
  const peek = (id: string): Hit | undefined => {
    const entry = entries.get(id);
    if (entry && entry.expires > Date.now()) return entry.hit;
  };
  return {
    description: "in-process",
    peek,
    lookup: (id) => peek(id) ?? { result: "miss", token: String(writes) },
    fill(id, token, json) {
      if (token !== String(writes)) return;
      entries.delete(id);
      entries.set(id, { hit: { result: "hit", json }, expires: Date.now() + ttlSeconds * 1000 });
      if (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
    },
    invalidate(id) {
      writes += 1;
      entries.delete(id);
    },
    close: () => entries.clear(),
  };
}
