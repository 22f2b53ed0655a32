// The embedded migrations are exactly what drizzle would read from the folders, and the
// folders are up to date with the schemas (drizzle-kit generate finds nothing to add).
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { cpSync, readdirSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { tempDir } from "../../testing/server-process";
import { mysqlMigrations, sqliteMigrations } from "./migrations";

// drizzle-kit starts a Node process per dialect: seconds.
setDefaultTimeout(60_000);

const root = resolve(import.meta.dir, "../../..");
const dialects = [
  ["mysql", mysqlMigrations],
  ["sqlite", sqliteMigrations],
] as const;

describe.each(dialects)("%s migrations", (dialect, embedded) => {
  const folder = join(import.meta.dir, dialect);

  test("are embedded exactly as drizzle reads them from the folder", () => {
    expect(embedded).toEqual(readMigrationFiles({ migrationsFolder: folder }));
  });

  test("embed every .sql file of the folder", () => {
    const files = readdirSync(folder).filter((name) => name.endsWith(".sql"));
    expect(embedded).toHaveLength(files.length);
  });

  test("are up to date with the schema (drizzle-kit generate adds nothing)", () => {
    const copy = join(tempDir(`drizzle-${dialect}`), dialect);
    cpSync(folder, copy, { recursive: true });
    const generate = Bun.spawnSync(
      [
        join(root, "node_modules/.bin/drizzle-kit"),
        "generate",
        `--dialect=${dialect}`,
        `--schema=src/users/db/${dialect}-schema.ts`,
        `--out=${relative(root, copy)}`, // drizzle-kit wants it relative
      ],
      { cwd: root, stdout: "pipe", stderr: "pipe" },
    );
    const output = `${generate.stdout}${generate.stderr}`;
    expect(output).toContain("No schema changes");
    expect(readdirSync(copy).sort()).toEqual(readdirSync(folder).sort());
  });
});
