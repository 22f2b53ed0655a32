// Writes every chart's values.schema.json from the TypeScript sources beside this file (the
// shared blocks in blocks.ts, one file per chart). The schemas are committed: helm reads
// values.schema.json from each chart's directory, and each subchart is packaged on its own.
// schema.test.ts fails when a committed schema differs from what this generates.
//
//   bun scripts/charts/schema/generate.ts          lists stale schemas, exits 1 if any
//   bun scripts/charts/schema/generate.ts --write  rewrites them
// Callers: scripts/charts/update.sh (npm run update), schema.test.ts.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { echo } from "./echo";
import { heartbeat } from "./heartbeat";
import { demoLib, umbrella } from "./umbrella";
import { users } from "./users";

const ROOT = join(import.meta.dir, "../../..");

/** Each generated file (relative to the repository) and its schema. */
export const SCHEMAS: Record<string, object> = {
  "charts/demo/values.schema.json": umbrella,
  "charts/demo/charts/demo-lib/values.schema.json": demoLib,
  "charts/demo/charts/echo/values.schema.json": echo,
  "charts/demo/charts/heartbeat/values.schema.json": heartbeat,
  "charts/demo/charts/users/values.schema.json": users,
};

// Keywords first in this order (a reader sees what a value is before its details), then the rest.
const ORDER = [
  "$schema",
  "title",
  "description",
  "type",
  "properties",
  "required",
  "additionalProperties",
];
const SCHEMA_MAPS = new Set(["properties", "definitions"]);
const SCHEMA_LISTS = new Set(["oneOf", "anyOf", "allOf"]);
const SUBSCHEMAS = new Set(["items", "additionalProperties", "if", "then", "else", "not"]);

/** The plain JSON of a schema: TypeBox's symbols gone, keys ordered, no empty `properties`. */
export function plain(schema: unknown): unknown {
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) return schema;
  const entries = Object.entries(schema as Record<string, unknown>)
    .filter(([key, value]) => !(key === "properties" && Object.keys(value as object).length === 0))
    .sort(([a], [b]) => rank(a) - rank(b));
  const out: Record<string, unknown> = {};
  for (const [key, value] of entries) {
    if (SCHEMA_MAPS.has(key))
      out[key] = Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, plain(v)]));
    else if (SCHEMA_LISTS.has(key)) out[key] = (value as unknown[]).map(plain);
    else if (SUBSCHEMAS.has(key)) out[key] = plain(value);
    else out[key] = value;
  }
  return out;
}
const rank = (key: string) => (ORDER.includes(key) ? ORDER.indexOf(key) : ORDER.length);

/** The text of a generated values.schema.json. */
export const render = (schema: object) => `${JSON.stringify(plain(schema), null, 2)}\n`;

/** The generated files whose committed text differs. */
export function stale(): string[] {
  return Object.entries(SCHEMAS)
    .filter(([file, schema]) => readFileSync(join(ROOT, file), "utf8") !== render(schema))
    .map(([file]) => file);
}

if (import.meta.main) {
  const write = process.argv.includes("--write");
  for (const file of stale()) {
    if (write) writeFileSync(join(ROOT, file), render(SCHEMAS[file] as object));
    console.log(
      `${file}: ${write ? "rewritten" : "stale (bun scripts/charts/schema/generate.ts --write)"}`,
    );
    if (!write) process.exitCode = 1;
  }
}
