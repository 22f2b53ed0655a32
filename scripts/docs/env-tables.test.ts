// The READMEs' configuration tables are the TypeBox schemas' own rows (env-tables.ts).
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DOCUMENTS, regenerate, renderTable } from "./env-tables";

test.each(DOCUMENTS)("%s: every configuration table is current", async (document) => {
  const text = readFileSync(join(import.meta.dir, "../..", document), "utf8");
  expect(text).toContain("<!-- env-table: ");
  // On failure: bun scripts/docs/env-tables.ts --write
  expect(await regenerate(document)).toBe(text);
});

test("a table carries each default and bound from the schema", async () => {
  const table = await renderTable("echo-client");
  expect(table).toContain(
    "| `ECHO_INTERVAL` | `5` | time between POSTs, in seconds (a number > 0) |",
  );
  expect(table).toContain(
    "| `PORT`, `LOG_LEVEL`, `LOG_FORMAT`, `OTEL_*` | | as for every command |",
  );
});
