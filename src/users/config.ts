// `demo users-server` configuration: which database and which cache, from env vars.
// MySQL by URL or by parts (the chart passes Secrets as parts); neither means embedded SQLite.
// Redis the same way; none means an in-process cache.
import type { ConnectionOptions } from "mysql2";
import { seconds, serverEnv, T } from "../lib/config";
import type { RedisTarget } from "./redis-cache";

const tcpPort = (fallback: number, what: string) =>
  T.Integer({ minimum: 1, maximum: 65535, default: fallback, description: `${what} port` });

export const usersServerEnv = T.Object({
  ...serverEnv,
  MYSQL_URL: T.Optional(
    T.String({
      pattern: "^mysql://.+",
      description:
        "mysql://user:password@host:port/database (URL-encode special characters); wins over MYSQL_HOST",
    }),
  ),
  MYSQL_HOST: T.Optional(
    T.String({
      description: "MySQL/MariaDB host, instead of MYSQL_URL; with neither, the embedded SQLite",
    }),
  ),
  MYSQL_PORT: tcpPort(3306, "MySQL"),
  MYSQL_USER: T.String({ default: "demo", description: "MySQL user" }),
  MYSQL_PASSWORD: T.Optional(T.String({ description: "MySQL password" })),
  MYSQL_DATABASE: T.String({
    default: "demo",
    description: "MySQL database (it must exist; the migrations create the table)",
  }),
  // By parts, like the password: the chart mounts the CA from a Secret as MYSQL_TLS_CA_FILE.
  MYSQL_TLS: T.Boolean({
    default: false,
    description:
      "connect to MySQL over TLS (a server with require_secure_transport=ON refuses anything else)",
  }),
  MYSQL_TLS_CA: T.Optional(
    T.String({
      description:
        "PEM certificate(s) of the CA that signed the server's certificate, usually given as MYSQL_TLS_CA_FILE; empty: the public CAs Bun trusts",
    }),
  ),
  MYSQL_TLS_VERIFY: T.Boolean({
    default: true,
    description:
      "with MYSQL_TLS, refuse a server whose certificate is not signed by the CA or does not name the host (false: encrypt only)",
  }),
  MYSQL_QUERY_TIMEOUT_SECONDS: seconds(
    5,
    "how long a query may take before its request gets a 503",
  ),
  SQLITE_PATH: T.String({
    default: ":memory:",
    description: "the embedded SQLite database file when no MySQL is configured",
  }),
  REDIS_URL: T.Optional(
    T.String({
      pattern: "^rediss?://.+",
      description: "redis://[:password@]host:port[/db] or rediss://...; wins over REDIS_HOST",
    }),
  ),
  REDIS_HOST: T.Optional(
    T.String({
      description: "Redis host, instead of REDIS_URL; with neither, an in-process cache",
    }),
  ),
  REDIS_PORT: tcpPort(6379, "Redis"),
  REDIS_PASSWORD: T.Optional(T.String({ description: "Redis password" })),
  // Redis stores whole seconds only (SET ... EX): 1.5 would make every fill fail.
  CACHE_TTL_SECONDS: T.Integer({
    minimum: 0,
    default: 60,
    description:
      "how long a read stays cached, in whole seconds (Redis stores no fractions); 0 turns the cache off (every read BYPASS)",
  }),
  NEAR_CACHE: T.Boolean({
    default: true,
    description:
      "keep hot reads in process in front of Redis, invalidated through Redis's CLIENT TRACKING (X-Cache: HIT-LOCAL); off by itself without Redis or with a Redis that cannot track keys",
  }),
  NEAR_CACHE_MAX_ENTRIES: T.Integer({
    minimum: 1,
    default: 10_000,
    description: "the most users the near cache holds (least recently used dropped first)",
  }),
  NEAR_CACHE_MAX_BYTES: T.Integer({
    minimum: 1024,
    default: 16 * 1024 * 1024,
    description:
      "the most bytes the near cache holds: each user's JSON (as UTF-16) and its ready answer",
  }),
  MIGRATE_ON_START: T.Boolean({
    default: true,
    description: "apply the embedded migrations at start (false: call POST /init)",
  }),
});
export type UsersConfig = typeof usersServerEnv.static;

export type DatabaseTarget =
  | { kind: "mysql"; options: ConnectionOptions; description: string }
  | { kind: "sqlite"; path: string };

export function databaseTarget(config: UsersConfig): DatabaseTarget {
  const tls = mysqlTls(config);
  const over = tls ? " (TLS)" : "";
  if (config.MYSQL_URL) {
    const url = new URL(config.MYSQL_URL);
    const description = `mysql://${url.username}@${url.host}${url.pathname}${over}`;
    // mysql2 lets the options given beside `uri` win over its query parameters.
    return { kind: "mysql", options: { uri: config.MYSQL_URL, ...tls }, description };
  }
  if (config.MYSQL_HOST) {
    const {
      MYSQL_HOST: host,
      MYSQL_PORT: port,
      MYSQL_USER: user,
      MYSQL_DATABASE: database,
    } = config;
    return {
      kind: "mysql",
      options: { host, port, user, password: config.MYSQL_PASSWORD, database, ...tls },
      description: `mysql://${user}@${host}:${port}/${database}${over}`,
    };
  }
  return { kind: "sqlite", path: config.SQLITE_PATH };
}

/** mysql2's `ssl` option from MYSQL_TLS*, or nothing when TLS is off. */
function mysqlTls(config: UsersConfig): Pick<ConnectionOptions, "ssl"> | undefined {
  if (!config.MYSQL_TLS) return undefined;
  const verify = config.MYSQL_TLS_VERIFY;
  // verifyIdentity: mysql2 checks the host name only when asked, even with rejectUnauthorized.
  return {
    ssl: {
      ca: config.MYSQL_TLS_CA || undefined,
      rejectUnauthorized: verify,
      verifyIdentity: verify,
    },
  };
}

export function redisTarget(config: UsersConfig): RedisTarget | undefined {
  if (config.REDIS_URL) return { url: config.REDIS_URL };
  if (config.REDIS_HOST)
    return { host: config.REDIS_HOST, port: config.REDIS_PORT, password: config.REDIS_PASSWORD };
  return undefined;
}
