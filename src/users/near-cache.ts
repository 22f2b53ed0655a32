// The near cache: a bounded in-process LRU in front of the Redis cache, so that a hot read
// costs no round trip. It serves only while its invalidation channel is live (near-tracking.ts
// says when); losing the channel empties it, so no entry outlives an invalidation it missed.
import { LRUCache } from "lru-cache";
import { Counter } from "prom-client";
import type { Hit, Lookup, UserCache } from "./cache";
import { hotCounter } from "./hot-counter";

/** Near cache lookups while it is live: `nearLookups[result] += 1`. */
export const nearLookups = hotCounter({
  name: "users_near_cache_lookups_total",
  help: "Near cache lookups while it is live: hit (served in-process) or miss (asked Redis).",
  label: "result",
  values: ["hit", "miss"],
});
export const nearInvalidations = new Counter({
  name: "users_near_cache_invalidations_total",
  help: "Near cache entries dropped by a write: local (this replica's) or remote (Redis's tracking message).",
  labelNames: ["source"] as const,
});
export const nearFlushes = new Counter({
  name: "users_near_cache_flushes_total",
  help: "Times the near cache was emptied because its invalidation channel was lost (or Redis was flushed).",
});
const local = nearInvalidations.labels("local");
const remote = nearInvalidations.labels("remote");

export interface NearCacheOptions {
  maxEntries: number;
  maxBytes: number;
  /** The Redis TTL: a near entry never lives longer. */
  ttlSeconds: number;
}

export class NearCache implements UserCache {
  private readonly entries: LRUCache<string, Hit>;
  // Moves on with every invalidation and flush: a Redis answer is kept only if none happened
  // since its lookup was sent. An invalidation message travels on another connection than the
  // reply, so it may be handled before a reply read before the write; this catches that.
  private epoch = 0;
  /** True while the invalidation channel is established; false: empty and bypassed. */
  private live = false;
  private readonly closers: Array<() => void> = [];

  constructor(
    private readonly inner: UserCache,
    options: NearCacheOptions,
  ) {
    this.entries = new LRUCache({
      max: options.maxEntries,
      maxSize: options.maxBytes,
      // The JSON and the key as UTF-16 (two bytes a unit), plus the answer an entry keeps
      // ready once served (app.ts): its UTF-8 body. Counted at once, so the bound holds.
      sizeCalculation: ({ json }, id) => 2 * (json.length + id.length) + Buffer.byteLength(json),
      ttl: options.ttlSeconds * 1000,
      // Date.now() per read is enough for whole-second TTLs.
      ttlAutopurge: false,
    });
  }

  get description() {
    return `${this.inner.description} + near cache`;
  }

  get isLive() {
    return this.live;
  }

  get size() {
    return this.entries.size;
  }

  /** The entry, while the channel is live; no Redis. */
  peek(id: string): Hit | undefined {
    if (!this.live) return undefined;
    const hit = this.entries.get(id);
    if (hit) nearLookups.hit += 1;
    return hit;
  }

  lookup(id: string): Promise<Lookup> | Lookup {
    if (!this.live) return this.inner.lookup(id);
    const hit = this.peek(id);
    if (hit) return hit;
    nearLookups.miss += 1;
    return this.ask(id);
  }

  private async ask(id: string): Promise<Lookup> {
    const epoch = this.epoch;
    const found = await this.inner.lookup(id);
    // Only a Redis hit is kept (not a fill from the database): the entry is known to be in
    // Redis, where a write on any replica invalidates it and so sends the message.
    if (found.result === "hit" && this.live && epoch === this.epoch)
      this.entries.set(id, { result: "local", json: found.json });
    return found;
  }

  fill(id: string, token: string, json: string) {
    return this.inner.fill(id, token, json);
  }

  /** This replica's write: dropped before and after Redis's entry, so no read in between keeps it. */
  async invalidate(id: string) {
    this.drop(id);
    local.inc();
    await this.inner.invalidate(id);
    this.drop(id);
  }

  /** Another replica's write, reported by Redis. */
  invalidated(id: string) {
    this.drop(id);
    remote.inc();
  }

  private drop(id: string) {
    this.epoch += 1;
    this.entries.delete(id);
  }

  /** The channel is established: entries may be kept from now on. */
  up() {
    this.epoch += 1; // a Redis reply read before tracking was set is not kept
    this.live = true;
  }

  /** The channel is lost (or Redis was flushed): everything goes, reads bypass until `up`. */
  flush(live = false) {
    if (this.live || this.entries.size > 0) nearFlushes.inc();
    this.live = live;
    this.epoch += 1;
    this.entries.clear();
  }

  /** Runs `close` when the cache closes (the invalidation channel's connection). */
  closing(close: () => void) {
    this.closers.push(close);
  }

  close() {
    for (const close of this.closers) close();
    this.flush();
    return this.inner.close();
  }
}
