// The drizzle-kit migrations, embedded in the binary: distroless has no files to read them
// from at run time. Each .sql file is imported as text; `drizzle-kit generate` adds a file
// and a journal entry, and migrations.test.ts fails until its import is added below.
import { createHash } from "node:crypto";
import type { MigrationMeta } from "drizzle-orm/migrator";
import mysqlCreateUsers from "./mysql/0000_create_users.sql" with { type: "text" };
import mysqlJournal from "./mysql/meta/_journal.json";
import sqliteCreateUsers from "./sqlite/0000_create_users.sql" with { type: "text" };
import sqliteJournal from "./sqlite/meta/_journal.json";

/** The SQL of each migration, by its drizzle-kit tag. */
export const mysqlSql: Record<string, string> = { "0000_create_users": mysqlCreateUsers };
export const sqliteSql: Record<string, string> = { "0000_create_users": sqliteCreateUsers };

interface Journal {
  entries: Array<{ tag: string; when: number; breakpoints: boolean }>;
}

/** What drizzle's readMigrationFiles would return, from the embedded text instead of files. */
export function embeddedMigrations(journal: Journal, sqlByTag: Record<string, string>) {
  return journal.entries.map((entry): MigrationMeta => {
    const query = sqlByTag[entry.tag];
    if (query === undefined) throw new Error(`migration ${entry.tag} is not embedded`);
    return {
      sql: query.split("--> statement-breakpoint"),
      bps: entry.breakpoints,
      folderMillis: entry.when,
      hash: createHash("sha256").update(query).digest("hex"),
    };
  });
}

export const mysqlMigrations = embeddedMigrations(mysqlJournal, mysqlSql);
export const sqliteMigrations = embeddedMigrations(sqliteJournal, sqliteSql);

/** drizzle's migrators read folders; its dialects take the list directly (internal API). */
export interface Migratable {
  dialect: { migrate(migrations: MigrationMeta[], session: unknown, config: object): unknown };
  session: unknown;
}
export function applyMigrations(db: unknown, migrations: MigrationMeta[]) {
  const { dialect, session } = db as Migratable;
  return dialect.migrate(migrations, session, { migrationsTable: "__drizzle_migrations" });
}
