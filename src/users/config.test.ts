import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, readConfig } from "../lib/config";
import { tempDir } from "../testing/server-process";
import { databaseTarget, redisTarget, usersServerEnv } from "./config";

const read = (env: Record<string, string>) => readConfig(usersServerEnv, env);

describe("users-server configuration", () => {
  test("nothing configured: embedded SQLite in memory, in-process cache, migrations at start", () => {
    const config = read({});
    expect(databaseTarget(config)).toEqual({ kind: "sqlite", path: ":memory:" });
    expect(redisTarget(config)).toBeUndefined();
    expect(config).toMatchObject({ CACHE_TTL_SECONDS: 60, MIGRATE_ON_START: true, PORT: 8080 });
  });

  test("MYSQL_URL is passed whole to mysql2, and logged without its password", () => {
    const target = databaseTarget(read({ MYSQL_URL: "mysql://app:p%40ss@db:3307/users" }));
    expect(target).toEqual({
      kind: "mysql",
      options: { uri: "mysql://app:p%40ss@db:3307/users" },
      description: "mysql://app@db:3307/users",
    });
  });

  test("MySQL by parts, as the chart passes Secrets", () => {
    const config = read({ MYSQL_HOST: "demo-mysql", MYSQL_PASSWORD: "pw", MYSQL_DATABASE: "d" });
    expect(databaseTarget(config)).toEqual({
      kind: "mysql",
      options: { host: "demo-mysql", port: 3306, user: "demo", password: "pw", database: "d" },
      description: "mysql://demo@demo-mysql:3306/d",
    });
  });

  test("TLS by parts: the CA from a file, verified by default, for a URL or parts alike", () => {
    const ca = join(tempDir("tls-ca"), "ca.pem");
    writeFileSync(ca, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    const config = read({ MYSQL_HOST: "db", MYSQL_TLS: "true", MYSQL_TLS_CA_FILE: ca });
    expect(databaseTarget(config)).toMatchObject({
      options: {
        ssl: {
          ca: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
          rejectUnauthorized: true,
          verifyIdentity: true,
        },
      },
      description: "mysql://demo@db:3306/demo (TLS)",
    });
    const encryptOnly = read({
      MYSQL_URL: "mysql://a@db/d",
      MYSQL_TLS: "true",
      MYSQL_TLS_VERIFY: "false",
    });
    expect(databaseTarget(encryptOnly)).toMatchObject({
      options: { uri: "mysql://a@db/d", ssl: { rejectUnauthorized: false, verifyIdentity: false } },
    });
    expect(databaseTarget(read({ MYSQL_HOST: "db" }))).not.toHaveProperty("options.ssl");
  });

  test("Redis by URL or by parts", () => {
    expect(redisTarget(read({ REDIS_URL: "redis://:pw@cache:6380/1" }))).toEqual({
      url: "redis://:pw@cache:6380/1",
    });
    expect(redisTarget(read({ REDIS_HOST: "127.0.0.1", REDIS_PASSWORD: "pw" }))).toEqual({
      host: "127.0.0.1",
      port: 6379,
      password: "pw",
    });
  });

  test("CACHE_TTL_SECONDS: whole seconds; 0 turns the cache off", () => {
    expect(read({ CACHE_TTL_SECONDS: "0" }).CACHE_TTL_SECONDS).toBe(0);
    expect(read({ CACHE_TTL_SECONDS: "30" }).CACHE_TTL_SECONDS).toBe(30);
  });

  test.each([
    ["MYSQL_URL", "postgres://x/y"],
    ["REDIS_URL", "localhost:6379"],
    ["CACHE_TTL_SECONDS", "-1"],
    ["CACHE_TTL_SECONDS", "1.5"],
    ["MIGRATE_ON_START", "maybe"],
    ["MYSQL_PORT", "0"],
    ["MYSQL_TLS", "maybe"],
  ])("a bad %s stops the start with its name", (name, value) => {
    expect(() => read({ [name]: value })).toThrow(ConfigError);
    expect(() => read({ [name]: value })).toThrow(`${name}="${value}"`);
  });
});
