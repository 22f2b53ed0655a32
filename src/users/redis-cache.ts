// The Redis cache (ioredis). Redis down never fails or slows a read: commands are not queued
// while disconnected and time out fast, reads then bypass the cache (logged once per outage),
// and invalidations that could not be sent are replayed before the cache is used again.
import { Redis, type RedisOptions, ReplyError } from "ioredis";
import type { Logger } from "../lib/log";
import { Outage } from "../lib/outage";
import { cacheErrors, type UserCache } from "./cache";

export type RedisTarget = { url: string } | { host: string; port: number; password?: string };

// Each id has its entry and a write generation; a fill must quote the generation it saw.
const FILL = `
if (redis.call('GET', KEYS[2]) or '') == ARGV[1] then
  return redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
end
return 0`;
const INVALIDATE = `
redis.call('DEL', KEYS[1])
redis.call('INCR', KEYS[2])
return redis.call('EXPIRE', KEYS[2], ARGV[1])`;
// Longer than any read can take, so a racing read always sees the generation move.
const GENERATION_TTL_SECONDS = 3600;
const MAX_PENDING_INVALIDATIONS = 100_000;

type ScriptedRedis = Redis & {
  fillUser(
    entry: string,
    generation: string,
    token: string,
    json: string,
    ttl: number,
  ): Promise<unknown>;
  invalidateUser(entry: string, generation: string, ttl: number): Promise<unknown>;
};

export interface RedisCacheOptions {
  ttlSeconds: number;
  log: Logger;
  /** Prefix of every key (tests give each suite its own). */
  keyPrefix?: string;
}

export const DEFAULT_KEY_PREFIX = "users:";

/** A connection that never queues or retries commands: Redis down must not slow a read. */
export function connectRedis(target: RedisTarget, options: RedisOptions) {
  const settings: RedisOptions = {
    // Fail a command at once when disconnected, and after 1 s when Redis hangs (long enough
    // that a busy event loop alone does not look like an outage).
    enableOfflineQueue: false,
    commandTimeout: 1_000,
    maxRetriesPerRequest: 0,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    ...options,
  };
  return "url" in target ? new Redis(target.url, settings) : new Redis({ ...target, ...settings });
}

export function createRedisCache(
  target: RedisTarget,
  options: RedisCacheOptions,
): UserCache & { redis: Redis } {
  const redis = connectRedis(target, {
    keyPrefix: options.keyPrefix ?? DEFAULT_KEY_PREFIX,
    // Concurrent commands share one write to the socket: far more reads per second.
    enableAutoPipelining: true,
  }) as ScriptedRedis;
  redis.defineCommand("fillUser", { numberOfKeys: 2, lua: FILL });
  redis.defineCommand("invalidateUser", { numberOfKeys: 2, lua: INVALIDATE });

  const outage = new Outage(options.log, {
    down: "redis unavailable: reads go to the database (X-Cache: BYPASS)",
    up: "redis is back: reads use the cache again",
  });
  // Command errors (OOM under maxmemory, a script error...) by operation and kind: the server
  // answered, so the connection is fine; logged once until that operation succeeds again.
  const commandErrors = new Map<string, Outage>();
  // Invalidations not applied yet: reads bypass the cache until they are.
  const pending = new Set<string>();
  // The connection's state only: true from "ready" until it closes or a command times out.
  let connected = false;
  let replaying: Promise<boolean> | undefined;

  function connectionFailed(operation: string, error: unknown) {
    cacheErrors.inc({ operation, kind: "connection" });
    connected = false;
    outage.failed(error);
  }

  function failed(operation: string, error: unknown) {
    if (error instanceof ReplyError) {
      const kind = replyKind(error as Error);
      cacheErrors.inc({ operation, kind });
      const key = `${operation} ${kind}`;
      let errors = commandErrors.get(key);
      if (!errors) {
        errors = new Outage(options.log, {
          down: `redis command failed (${kind}): ${operation} skips the cache while it fails`,
          up: `redis commands succeed again after ${kind} errors (${operation})`,
        });
        commandErrors.set(key, errors);
      }
      errors.failed(error);
      return;
    }
    connectionFailed(operation, error);
    // A hung server leaves the socket "ready": reconnect, so that "ready" tells us it is back.
    if (String(error).includes("timed out")) redis.disconnect(true);
  }

  function succeeded(operation: string) {
    if (commandErrors.size === 0) return;
    for (const [key, errors] of commandErrors)
      if (key.startsWith(`${operation} `)) {
        errors.recovered();
        commandErrors.delete(key);
      }
  }

  async function invalidate(id: string) {
    await redis.invalidateUser(id, `${id}:generation`, GENERATION_TTL_SECONDS);
  }

  /** Applies the missed invalidations; true when none is left. One replay at a time. */
  function replay() {
    replaying ??= (async () => {
      try {
        for (const id of pending) {
          await invalidate(id);
          pending.delete(id);
        }
        succeeded("invalidate");
        return true;
      } catch (error) {
        failed("invalidate", error);
        return false;
      } finally {
        replaying = undefined;
      }
    })();
    return replaying;
  }

  // Back: replay what was missed, and only then serve from the cache again.
  redis.on("ready", async () => {
    connected = true;
    if (pending.size === 0 || (await replay())) outage.recovered();
  });
  redis.on("error", (error) => connectionFailed("connection", error));
  redis.on("close", () => {
    if (connected) connectionFailed("connection", new Error("connection closed"));
  });

  return {
    redis,
    description: "url" in target ? redactUrl(target.url) : `redis://${target.host}:${target.port}`,
    async lookup(id) {
      if (!connected) return { result: "bypass" };
      if (pending.size > 0) {
        if (!(await replay())) return { result: "bypass" };
        outage.recovered();
      }
      try {
        // One round trip: the entry and the generation a fill must quote. (Replies come in
        // order, so a miss seen before a fill always finds that fill's flight still going.)
        const [json, generation] = await redis.mget(id, `${id}:generation`);
        succeeded("lookup");
        return json ? { result: "hit", json } : { result: "miss", token: generation ?? "" };
      } catch (error) {
        failed("lookup", error);
        return { result: "bypass" };
      }
    },
    async fill(id, token, json) {
      try {
        await redis.fillUser(id, `${id}:generation`, token, json, options.ttlSeconds);
        succeeded("fill");
      } catch (error) {
        failed("fill", error);
      }
    },
    async invalidate(id) {
      if (!connected) {
        cacheErrors.inc({ operation: "invalidate", kind: "connection" });
        remember(id);
        return;
      }
      try {
        await invalidate(id);
        succeeded("invalidate");
      } catch (error) {
        failed("invalidate", error);
        remember(id);
      }
    },
    close() {
      connected = false; // closing on purpose is no outage to log
      redis.disconnect();
    },
  };

  function remember(id: string) {
    if (pending.size < MAX_PENDING_INVALIDATIONS) pending.add(id);
    else options.log.error("too many invalidations missed; one dropped", { id });
  }
}

/** A command error's kind: the first word of Redis's reply ("OOM", "ERR", "NOSCRIPT"...). */
function replyKind(error: { message: string }) {
  return /^[A-Z]+/.exec(error.message)?.[0] ?? "ERR";
}

function redactUrl(url: string) {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = "***";
  return parsed.href;
}
