// The configuration tables of the READMEs, generated from each command's TypeBox schema (the
// one source of every variable's default, bound and meaning; `--help` prints the same rows).
// A table sits between `<!-- env-table: <command> -->` and `<!-- /env-table -->`; `shared`
// is the variables every server has. env-tables.test.ts fails when a table is stale.
//
//   bun scripts/docs/env-tables.ts          lists stale tables, exits 1 if any
//   bun scripts/docs/env-tables.ts --write  rewrites them
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { commands } from "../../src/commands";
import { configRows, serverEnv, T } from "../../src/lib/config";

export const DOCUMENTS = ["README.md", "src/users/README.md", "src/heartbeat/README.md"];
const ROOT = join(import.meta.dir, "../..");
const TABLE = /(<!-- env-table: ([\w-]+) -->\n)[\s\S]*?(<!-- \/env-table -->)/g;
const shared = Object.keys(serverEnv);

/** The table of one command's own variables, ending with the shared ones it also reads. */
export async function renderTable(name: string): Promise<string> {
  if (name === "shared") return table(configRows(T.Object(serverEnv)));
  const load = commands[name];
  if (!load) throw new Error(`env-table: no command "${name}"`);
  const rows = configRows((await load()).env);
  // The OTEL_* variables, listed in the shared table, are named once here as a family.
  const names = rows
    .filter((row) => shared.includes(row.name))
    .map((row) => (row.name.startsWith("OTEL_") ? "OTEL_*" : row.name));
  const common = [...new Set(names)].map((name) => `\`${name}\``);
  const own = table(rows.filter((row) => !shared.includes(row.name)));
  return common.length === 0 ? own : `${own}| ${common.join(", ")} | | as for every command |\n`;
}

function table(rows: ReturnType<typeof configRows>) {
  const lines = rows.map(
    (row) =>
      `| \`${row.name}\` | ${row.fallback ? `\`${row.fallback}\`` : ""} | ${row.meaning.replaceAll("|", "\\|")} |`,
  );
  return ["| variable | default | meaning |", "| --- | --- | --- |", ...lines, ""].join("\n");
}

/** Each document's text with its tables regenerated. */
export async function regenerate(document: string) {
  const text = readFileSync(join(ROOT, document), "utf8");
  const names = [...text.matchAll(TABLE)].map((match) => match[2] as string);
  const tables = new Map(
    await Promise.all(names.map(async (n) => [n, await renderTable(n)] as const)),
  );
  return text.replace(TABLE, (_, open, name, close) => `${open}${tables.get(name)}${close}`);
}

if (import.meta.main) {
  let stale = 0;
  for (const document of DOCUMENTS) {
    const fresh = await regenerate(document);
    if (fresh === readFileSync(join(ROOT, document), "utf8")) continue;
    stale++;
    if (process.argv.includes("--write")) writeFileSync(join(ROOT, document), fresh);
    console.log(`${document}: ${process.argv.includes("--write") ? "rewritten" : "stale"}`);
  }
  if (stale > 0 && !process.argv.includes("--write")) process.exit(1);
}
