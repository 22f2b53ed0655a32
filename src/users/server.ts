// `demo users-server`: wires config to a store and a cache, serves the API at once, and
// connects to the database in the background with backoff (readiness 503 until then).
import pRetry from "p-retry";
import { defineCommand } from "../lib/command";
import { rootCause } from "../lib/errors";
import { listen } from "../lib/http-server";
import { stopping } from "../lib/lifecycle";
import { createLogger, type Logger } from "../lib/log";
import { createUsersApp } from "./app";
import { createMemoryCache, noCache, type UserCache } from "./cache";
import { databaseTarget, redisTarget, type UsersConfig, usersServerEnv } from "./config";
import { createMySqlStore } from "./mysql-store";
import { NearCache } from "./near-cache";
import { trackInvalidations } from "./near-tracking";
import { createRedisCache, DEFAULT_KEY_PREFIX } from "./redis-cache";
import { UsersService } from "./service";
import { createSqliteStore } from "./sqlite-store";
import { DatabaseUnavailable, type UserStore } from "./store";

export function createStore(config: UsersConfig): UserStore {
  const target = databaseTarget(config);
  return target.kind === "mysql"
    ? createMySqlStore(
        target.options,
        target.description,
        config.MYSQL_QUERY_TIMEOUT_SECONDS * 1000,
      )
    : createSqliteStore(target.path);
}

export function createCache(config: UsersConfig, log: Logger, keyPrefix?: string): UserCache {
  if (config.CACHE_TTL_SECONDS === 0) return noCache;
  const redis = redisTarget(config);
  // Without Redis the in-process cache already is the near one (its line says cache=in-process).
  if (!redis) return createMemoryCache(config.CACHE_TTL_SECONDS);
  const ttlSeconds = config.CACHE_TTL_SECONDS;
  const cache = createRedisCache(redis, { ttlSeconds, log, keyPrefix });
  if (!config.NEAR_CACHE) return cache;
  const near = new NearCache(cache, {
    maxEntries: config.NEAR_CACHE_MAX_ENTRIES,
    maxBytes: config.NEAR_CACHE_MAX_BYTES,
    ttlSeconds,
  });
  const tracking = trackInvalidations(near, cache.redis, redis, {
    keyPrefix: keyPrefix ?? DEFAULT_KEY_PREFIX,
    log,
  });
  near.closing(tracking.close);
  return near;
}

/** The users API with its store and cache; the database is set up in the background. */
export function createUsers(
  config: UsersConfig,
  log: Logger,
  options: { keyPrefix?: string; signal?: AbortSignal } = {},
) {
  const signal = options.signal ?? stopping;
  const service = new UsersService(
    createStore(config),
    createCache(config, log, options.keyPrefix),
    log,
  );
  let waiting: string | null = "connecting to the database";

  const started = pRetry(
    async () => {
      await service.store.ping();
      if (config.MIGRATE_ON_START) await service.store.migrate();
    },
    {
      retries: Number.POSITIVE_INFINITY,
      minTimeout: 500,
      maxTimeout: 10_000,
      signal,
      // Only an unreachable database is worth waiting for; a failing migration is not.
      shouldRetry: ({ error }) => error instanceof DatabaseUnavailable,
      onFailedAttempt: ({ error, attemptNumber, retryDelay }) => {
        waiting = `waiting for the database (attempt ${attemptNumber}): ${error.message}`;
        if (error instanceof DatabaseUnavailable) {
          service.startFailure = error.reason;
          log.warn("database not ready, retrying", {
            attempt: attemptNumber,
            retryInMs: retryDelay,
            error: error.logged,
          });
        }
      },
    },
  ).then(
    () => {
      service.started = true;
      waiting = null;
      log.info("database ready", {
        database: service.store.description,
        cache: service.cache.description,
        migrated: config.MIGRATE_ON_START,
      });
    },
    (error) => {
      if (signal.aborted) return;
      // The driver's own words, not drizzle's wrapper ("Failed query: SELECT 1").
      const cause = rootCause(error) as Error & { code?: unknown };
      waiting = `start-up failed: ${cause.code ? `${cause.code}: ` : ""}${cause.message}`;
      log.error("database set-up failed; fix it and restart", { error });
    },
  );

  // Ready once the database has answered at start. A later outage keeps the pods ready on
  // purpose: every replica would go unready at once, and clients would meet a refused
  // connection instead of the 503 that says the database is unavailable.
  const readiness = () => (service.started ? null : (waiting ?? "waiting for the database"));
  const app = createUsersApp(service, log, readiness);
  const close = async () => {
    service.stop();
    await service.store.close();
    await service.cache.close();
  };
  return { app, service, started, close };
}

export const usersServer = defineCommand({
  summary: "users API: MySQL (or embedded SQLite) behind a Redis (or in-process) cache",
  env: usersServerEnv,
  run(config) {
    const log = createLogger("users-server");
    const { app } = createUsers(config, log);
    listen(app, { port: config.PORT, log, shutdownDelaySeconds: config.SHUTDOWN_DELAY_SECONDS });
  },
});
