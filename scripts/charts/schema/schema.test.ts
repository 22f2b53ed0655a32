// The committed values.schema.json files are what generate.ts writes, and they judge values
// as helm does: every chart's defaults and every ci/*-values.yaml pass (merged over the
// defaults, as helm coalesces them), typos and out-of-range values fail.
// scripts/charts/checks/05-values-schema.sh asks helm itself the same about the typos.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv from "ajv";
import { echo } from "./echo";
import { plain, render, SCHEMAS, stale } from "./generate";
import { heartbeat } from "./heartbeat";
import { users } from "./users";

const CHART = join(import.meta.dir, "../../../charts/demo");
const SYSTEMS = ["echo", "heartbeat", "users"] as const;
type Values = Record<string, unknown>;

const yaml = (file: string) => (Bun.YAML.parse(readFileSync(file, "utf8")) ?? {}) as Values;
const validator = (file: string) =>
  new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(file, "utf8")));
const umbrellaSchema = validator(join(CHART, "values.schema.json"));
const subchartSchema = Object.fromEntries(
  SYSTEMS.map((s) => [s, validator(join(CHART, "charts", s, "values.schema.json"))]),
);

/** helm's coalescing: maps merge key by key, anything else replaces, null deletes. */
function merge(base: Values, over: Values): Values {
  const out: Values = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const was = out[key];
    if (value === null) delete out[key];
    else if (isMap(value) && isMap(was)) out[key] = merge(was, value);
    else out[key] = value;
  }
  return out;
}
const isMap = (v: unknown): v is Values => typeof v === "object" && v !== null && !Array.isArray(v);

/** The schema errors helm would report for umbrella values `given`, one line each. */
function errors(given: Values): string[] {
  const values = merge(yaml(join(CHART, "values.yaml")), given);
  const found: string[] = [];
  if (!umbrellaSchema(values))
    for (const e of umbrellaSchema.errors ?? []) found.push(`demo${e.instancePath} ${e.message}`);
  for (const system of SYSTEMS) {
    const own = merge(
      yaml(join(CHART, "charts", system, "values.yaml")),
      (values[system] ?? {}) as Values,
    );
    const check = subchartSchema[system] as NonNullable<(typeof subchartSchema)[string]>;
    if (!check({ ...own, global: values.global }))
      for (const e of check.errors ?? []) found.push(`${system}${e.instancePath} ${e.message}`);
  }
  return found;
}

test("every committed values.schema.json is the generated one", () => {
  // On failure: bun scripts/charts/schema/generate.ts --write (or npm run update)
  expect(stale()).toEqual([]);
});

describe("the schemas accept what the chart ships", () => {
  test("the defaults of every chart", () => expect(errors({})).toEqual([]));
  const ciValues = new Bun.Glob("*-values.yaml").scanSync(join(CHART, "ci"));
  for (const file of [...ciValues].sort())
    test(`ci/${file}`, () => expect(errors(yaml(join(CHART, "ci", file)))).toEqual([]));
});

describe("the schemas reject", () => {
  const cases: Array<[string, Values, string]> = [
    [
      "a typo in a subchart key",
      { echo: { server: { replicas: 3 } } },
      "echo/server must NOT have additional properties",
    ],
    [
      "a value outside an enum",
      { heartbeat: { client: { kind: "ReplicaSet" } } },
      "heartbeat/client/kind must be equal to one of the allowed values",
    ],
    [
      "a typo in users",
      { users: { api: { replicaCont: 1 } } },
      "users/api must NOT have additional properties",
    ],
    [
      "a typo in global",
      { global: { image: { tagg: "1" } } },
      "demo/global/image must NOT have additional properties",
    ],
    ["an unknown system", { echoo: { enabled: true } }, "demo must NOT have additional properties"],
    [
      "a bad quantity (shared definition)",
      { users: { api: { resources: { limits: { cpu: "1 core" } } } } },
      "users/api/resources/limits/cpu must match pattern",
    ],
    [
      "an Ingress path without /",
      { heartbeat: { ingress: { enabled: true, path: "x" } } },
      "heartbeat/ingress/path must match pattern",
    ],
    [
      "a liveness successThreshold above 1",
      { echo: { livenessProbe: { successThreshold: 2 } } },
      "echo/livenessProbe/successThreshold must be <= 1",
    ],
    [
      "2 heartbeat servers on the memory store",
      { heartbeat: { server: { replicaCount: 2 } } },
      "heartbeat/store/type must be equal to constant",
    ],
  ];
  for (const [what, values, message] of cases)
    test(what, () => expect(errors(values).some((line) => line.startsWith(message))).toBe(true));
});

test("the blocks demo-lib renders are the same in every subchart", () => {
  for (const key of [
    "logLevel",
    "livenessProbe",
    "readinessProbe",
    "ingress",
    "httpRoute",
    "extraEnvVars",
  ])
    for (const schema of [heartbeat, users])
      expect(render(schema.properties[key] as object)).toBe(render(echo.properties[key] as object));
});

describe("plain", () => {
  test("drops an empty properties keyword, not a value named properties", () => {
    const out = plain({
      type: "object",
      properties: { properties: { type: "object", properties: {} } },
    });
    expect(out).toEqual({ type: "object", properties: { properties: { type: "object" } } });
  });
  test("orders the keywords: type before properties before required", () => {
    const out = plain({ required: ["a"], properties: { a: {} }, type: "object" }) as object;
    expect(Object.keys(out)).toEqual(["type", "properties", "required"]);
  });
  test("keeps enum, const and required lists as they are", () => {
    expect(plain({ enum: ["", "properties"], required: ["type"] })).toEqual({
      enum: ["", "properties"],
      required: ["type"],
    });
  });
  test("every generated file has its $schema and title", () => {
    for (const schema of Object.values(SCHEMAS))
      expect(Object.keys(plain(schema) as object).slice(0, 2)).toEqual(["$schema", "title"]);
  });
});
