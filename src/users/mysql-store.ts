// The MySQL/MariaDB store: drizzle over a mysql2 pool. mysql2 speaks MySQL 8.4/9's default
// caching_sha2_password and MariaDB's mysql_native_password alike.
import { asc, eq, gt, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/mysql2";
import mysql, { type ConnectionOptions } from "mysql2/promise";
import { applyMigrations, mysqlMigrations } from "./db/migrations";
import { users } from "./db/mysql-schema";
import {
  DatabaseUnavailable,
  Duplicate,
  driverError,
  query,
  TableMissing,
  type UserStore,
} from "./store";

// Replicas starting together must not run the same DDL twice (MySQL DDL is not transactional).
const MIGRATION_LOCK = "demo_users_migrate";
const MIGRATION_LOCK_SECONDS = 30;

export function createMySqlStore(
  options: ConnectionOptions,
  description: string,
  queryTimeoutMs = 5_000,
): UserStore {
  const connection: ConnectionOptions = {
    ...options,
    connectTimeout: 5_000,
    enableKeepAlive: true,
    charset: "utf8mb4",
    timezone: "Z",
  };
  const pool = mysql.createPool({ ...connection, connectionLimit: 10, maxIdle: 10 });
  const db = drizzle({ client: pool });
  const run = <T>(operation: string, work: () => Promise<T>) =>
    query(operation, classify, work, queryTimeoutMs);

  return {
    description,
    migrate: () =>
      // No time limit: it may wait for another replica's migration (the lock's own timeout).
      query("migrate", classify, async () => {
        // One dedicated session: the advisory lock belongs to it and goes away with it.
        const session = await mysql.createConnection(connection);
        try {
          const [rows] = await session.query("SELECT GET_LOCK(?, ?) AS locked", [
            MIGRATION_LOCK,
            MIGRATION_LOCK_SECONDS,
          ]);
          if ((rows as Array<{ locked: number }>)[0]?.locked !== 1)
            throw new DatabaseUnavailable("another instance is still migrating; try again");
          await applyMigrations(drizzle({ client: session }), mysqlMigrations);
        } finally {
          await session.end().catch(() => session.destroy());
        }
      }),
    ping: () => run("ping", async () => void (await db.execute(sql`SELECT 1`))),
    get: (id) => run("get", async () => (await db.select().from(users).where(eq(users.id, id)))[0]),
    list: (limit, after) =>
      run("list", () =>
        db
          .select()
          .from(users)
          .where(after === undefined ? undefined : gt(users.id, after))
          .orderBy(asc(users.id))
          .limit(limit),
      ),
    insert: (user) => run("insert", async () => void (await db.insert(users).values(user))),
    update: (id, changes) =>
      run("update", async () => {
        // No RETURNING in MySQL: update, then read the row back in the same transaction. The
        // update's row lock is held until the commit, so no other write comes in between.
        return db.transaction(async (tx) => {
          const [result] = await tx.update(users).set(changes).where(eq(users.id, id));
          if (result.affectedRows === 0) return undefined;
          return (await tx.select().from(users).where(eq(users.id, id)))[0];
        });
      }),
    delete: (id) =>
      run("delete", async () => {
        const [result] = await db.delete(users).where(eq(users.id, id));
        return result.affectedRows > 0;
      }),
    close: () => pool.end(),
  };
}

// Errors that mean "the server is not there or not usable right now", as opposed to a bug.
const UNAVAILABLE = new Set([
  "ER_ACCESS_DENIED_ERROR",
  "ER_BAD_DB_ERROR",
  "ER_CON_COUNT_ERROR",
  "ER_SERVER_SHUTDOWN",
  "ER_LOCK_WAIT_TIMEOUT",
  "ER_LOCK_DEADLOCK",
  "ER_OPTION_PREVENTS_STATEMENT",
  "ER_SECURE_TRANSPORT_REQUIRED",
]);

// What a client is told beyond the code, in fixed words: the driver's message may name the
// server's address.
const EXPLAINED: Record<string, string> = {
  ER_SECURE_TRANSPORT_REQUIRED: "the server requires secure transport: set MYSQL_TLS",
  // mysql2 gives every TLS failure this code; the words are OpenSSL's (the certificate chain),
  // except a name mismatch, whose message lists the host and the certificate's names.
  HANDSHAKE_SSL_ERROR: "the TLS handshake failed",
};

function reason(code: string, message: string) {
  const explained = EXPLAINED[code];
  if (!explained) return code || "connection closed";
  if (code !== "HANDSHAKE_SSL_ERROR") return `${code}: ${explained}`;
  const why = /altname/i.test(message)
    ? "the server's certificate does not name its host"
    : message;
  return `${code}: ${explained}: ${why}`;
}

function classify(error: unknown) {
  if (error instanceof DatabaseUnavailable) return error;
  const cause = driverError(error);
  const code = String(cause.code ?? "");
  if (code === "ER_DUP_ENTRY")
    return new Duplicate(
      String(cause.sqlMessage ?? cause.message).includes("email") ? "email" : "id",
    );
  if (code === "ER_NO_SUCH_TABLE") return new TableMissing();
  // Socket errors (ECONNREFUSED, ETIMEDOUT...), lost connections and a closed pool.
  if (
    cause.fatal === true ||
    UNAVAILABLE.has(code) ||
    /^(E[A-Z]+|PROTOCOL_\w+)$/.test(code) ||
    /Pool is closed|connection is in closed state/i.test(cause.message)
  )
    // Clients get the code and fixed words: the driver's message names the server's address.
    return new DatabaseUnavailable(reason(code, cause.message), cause.message);
  return undefined;
}
