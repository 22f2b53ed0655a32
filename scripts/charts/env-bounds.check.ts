// The chart's values.schema.json and the binary's TypeBox schemas must accept the same range
// for every value the chart passes to a container as an environment variable: the TypeBox
// schema is the source, the chart's bound is checked against it. The value-to-variable map is
// not written down anywhere: each numeric value is set to a probe and the rendered containers
// show which variable carries it.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { TSchema } from "@sinclair/typebox";
import { commands } from "../../src/commands";

const CHART = join(import.meta.dir, "../../charts/demo");
const SUBCHARTS = ["echo", "users", "heartbeat"];
const BOUNDS = ["type", "minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"] as const;

interface Container {
  args?: string[];
  env?: Array<{ name: string; value?: string }>;
}

function helmTemplate(sets: string[]): Container[] {
  if (!Bun.which("helm")) throw new Error("helm is not installed: run scripts/tools.sh");
  const args = ["template", "t", CHART, "-f", join(CHART, "ci/default-values.yaml")];
  const run = Bun.spawnSync(["helm", ...args, ...sets.flatMap((set) => ["--set", set])]);
  if (run.exitCode !== 0) throw new Error(`helm template ${sets}: ${run.stderr.toString()}`);
  const documents = Bun.YAML.parse(run.stdout.toString()) as unknown[];
  return (Array.isArray(documents) ? documents : [documents]).flatMap((doc) => {
    const spec = (doc as { spec?: { template?: { spec?: unknown }; containers?: unknown } })?.spec;
    const pod = (spec?.template?.spec ?? spec) as { containers?: Container[] } | undefined;
    return pod?.containers ?? [];
  });
}

/** Every numeric leaf of a values schema, as a `--set` path. */
function numericLeaves(schema: TSchema, path: string): Array<[string, TSchema]> {
  if (schema.type === "number" || schema.type === "integer") return [[path, schema]];
  return Object.entries((schema.properties ?? {}) as Record<string, TSchema>).flatMap(
    ([key, child]) => numericLeaves(child, `${path}.${key}`),
  );
}

/** A value the chart accepts and nothing renders by chance: odd, inside the chart's bounds. */
function probeFor(schema: TSchema) {
  const low = schema.minimum ?? (schema.exclusiveMinimum ?? 0) + 1;
  return Math.min(low + 4217, schema.maximum ?? Number.POSITIVE_INFINITY);
}

const leaves = await Promise.all(
  SUBCHARTS.map(async (name) => {
    const schema = await Bun.file(join(CHART, "charts", name, "values.schema.json")).json();
    return numericLeaves(schema, name);
  }),
).then((all) => all.flat());

describe("chart bounds equal the binary's", () => {
  const unprobed: string[] = [];
  const mapped = leaves.flatMap(([path, chartSchema]) => {
    const probe = String(probeFor(chartSchema));
    let containers: Container[];
    try {
      containers = helmTemplate([`${path}=${probe}`]);
    } catch {
      unprobed.push(path); // a rule across values refuses it alone (see the test below)
      return [];
    }
    const carriers = containers.flatMap((container) =>
      (container.env ?? [])
        .filter((variable) => variable.value === probe)
        .map((variable) => ({ command: container.args?.[0] ?? "", variable: variable.name })),
    );
    return carriers.map((carrier) => ({ path, chartSchema, ...carrier }));
  });

  test("only values bound by a rule across values could not be probed alone", () => {
    // More than one heartbeat server needs the Redis store; it is no variable anyway.
    expect(unprobed).toEqual(["heartbeat.server.replicaCount"]);
  });

  test("the probes found the values the chart passes as variables", () => {
    const found = new Set(mapped.map((m) => m.path));
    for (const path of ["echo.client.interval", "users.api.cacheTtlSeconds"])
      expect(found).toContain(path);
  });

  test.each(mapped.map((m) => [`${m.path} -> ${m.command} ${m.variable}`, m] as const))(
    "%s",
    async (_, { chartSchema, command, variable }) => {
      const load = commands[command];
      if (!load) throw new Error(`the container runs "${command}", which is not a demo command`);
      const source = (await load()).env.properties[variable] as TSchema | undefined;
      if (!source) throw new Error(`demo ${command} reads no ${variable}`);
      const pick = (schema: TSchema) =>
        Object.fromEntries(
          BOUNDS.filter((b) => schema[b] !== undefined).map((b) => [b, schema[b]]),
        );
      expect(pick(chartSchema)).toEqual(pick(source));
    },
  );
});
