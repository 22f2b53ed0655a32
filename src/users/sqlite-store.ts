// The embedded store: bun:sqlite through drizzle, in memory or in a file (SQLITE_PATH).
// Serves `demo all` and tests when no MySQL is configured; meets the same contract.
import { Database } from "bun:sqlite";
import { asc, eq, gt } from "drizzle-orm";
import { drizzle } from "drizzle-orm/bun-sqlite";
import { traceSync } from "../lib/tracing";
import { applyMigrations, sqliteMigrations } from "./db/migrations";
import { users } from "./db/sqlite-schema";
import {
  DatabaseUnavailable,
  Duplicate,
  driverError,
  query,
  TableMissing,
  type UserStore,
} from "./store";

export function createSqliteStore(path = ":memory:"): UserStore {
  const client = new Database(path, { create: true, strict: true });
  // A file database shared with another process waits for its lock instead of failing.
  client.run("PRAGMA busy_timeout = 5000");
  const db = drizzle({ client });
  const run = <T>(operation: keyof typeof STATEMENTS, work: () => T) =>
    query(operation, classify, () =>
      traceSync(`${STATEMENTS[operation]} users`, spanAttributes(operation, path), work),
    );

  return {
    description: `sqlite:${path}`,
    migrate: () => run("migrate", () => void applyMigrations(db, sqliteMigrations)),
    ping: () => run("ping", () => void client.query("SELECT 1").get()),
    get: (id) => run("get", () => db.select().from(users).where(eq(users.id, id)).get()),
    list: (limit, after) =>
      run("list", () =>
        db
          .select()
          .from(users)
          .where(after === undefined ? undefined : gt(users.id, after))
          .orderBy(asc(users.id))
          .limit(limit)
          .all(),
      ),
    insert: (user) => run("insert", () => void db.insert(users).values(user).run()),
    update: (id, changes) =>
      run("update", () => db.update(users).set(changes).where(eq(users.id, id)).returning().get()),
    delete: (id) =>
      run("delete", () => db.delete(users).where(eq(users.id, id)).returning().all().length > 0),
    close: async () => client.close(),
  };
}

// Each store operation is one statement on the users table (migrate: the migrations' DDL).
const STATEMENTS = {
  migrate: "MIGRATE",
  ping: "SELECT",
  get: "SELECT",
  list: "SELECT",
  insert: "INSERT",
  update: "UPDATE",
  delete: "DELETE",
} as const;

/** The database semantic conventions' attributes of one statement (no values: none known here). */
const spanAttributes = (operation: keyof typeof STATEMENTS, path: string) => ({
  "db.system.name": "sqlite",
  "db.namespace": path,
  "db.operation.name": STATEMENTS[operation],
  "db.collection.name": "users",
});

function classify(error: unknown) {
  const cause = driverError(error);
  const code = String(cause.code ?? "");
  if (code === "SQLITE_CONSTRAINT_PRIMARYKEY") return new Duplicate("id");
  if (code === "SQLITE_CONSTRAINT_UNIQUE")
    return new Duplicate(cause.message.includes("email") ? "email" : "id");
  if (/no such table: users/.test(cause.message)) return new TableMissing();
  if (code === "SQLITE_BUSY" || code === "SQLITE_LOCKED")
    return new DatabaseUnavailable(cause.message);
  return undefined;
}
