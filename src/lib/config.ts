// Typed configuration from environment variables (12-factor), parsed once at start.
// One TypeBox schema per command gives the parser, the types and the `--help` text.

import { readFileSync } from "node:fs";
import { type Static, type TObject, type TSchema, Type } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";

export { Type as T };

/** A bad environment variable: the message names it and what it accepts. */
export class ConfigError extends Error {}

/**
 * Parses `env` against `schema`: converts strings, applies defaults, rejects bad values.
 * Every variable NAME may instead be given as NAME_FILE, the path of a file holding the value
 * (how Kubernetes mounts a Secret: no password in the pod's environment); NAME wins when both
 * are set, one trailing newline is dropped, and an unreadable file is a configuration error.
 */
export function readConfig<S extends TObject>(schema: S, env: NodeJS.ProcessEnv = process.env) {
  const raw: Record<string, unknown> = {};
  const unreadable: string[] = [];
  for (const name of Object.keys(schema.properties)) {
    const value = env[name];
    const file = env[`${name}${FILE_SUFFIX}`];
    if (value !== undefined && value !== "") raw[name] = value;
    else if (file) {
      try {
        raw[name] = readFileSync(file, "utf8").replace(/\r?\n$/, "");
      } catch (error) {
        unreadable.push(
          `${name}${FILE_SUFFIX}=${JSON.stringify(file)}: ${(error as Error).message}`,
        );
      }
    }
  }
  if (unreadable.length > 0)
    throw new ConfigError(`invalid configuration\n  ${unreadable.join("\n  ")}`);
  const config = Value.Default(schema, Value.Convert(schema, { ...raw })) as Record<
    string,
    unknown
  >;
  // Convert truncates "1.5" to the integer 1: an integer variable must be written as one.
  for (const [name, property] of Object.entries(schema.properties))
    if (property.type === "integer" && typeof raw[name] === "string")
      if (!/^[+-]?\d+$/.test((raw[name] as string).trim())) config[name] = raw[name];
  const problems = [...Value.Errors(schema, config)].map((error) => {
    const name = error.path.split("/")[1] ?? error.path;
    const property = schema.properties[name];
    const given = env[name] || !env[`${name}${FILE_SUFFIX}`] ? name : `${name}${FILE_SUFFIX}`;
    return `${given}=${JSON.stringify(raw[name] ?? "")}: expected ${accepts(property ?? error.schema)}`;
  });
  // A missing variable fails two checks (required, and of the type): name it once.
  if (problems.length > 0)
    throw new ConfigError(`invalid configuration\n  ${[...new Set(problems)].join("\n  ")}`);
  return config as Static<S>;
}

/** NAME_FILE: where to read the value of NAME from (see readConfig). */
export const FILE_SUFFIX = "_FILE";

/** One variable as `--help` and the README tables show it: its default and its meaning. */
export interface ConfigRow {
  name: string;
  fallback: string;
  meaning: string;
}

/** The rows of a schema, in order; the meaning ends with the accepted range when there is one. */
export function configRows(schema: TObject): ConfigRow[] {
  return Object.entries(schema.properties).map(([name, property]) => {
    const fallback =
      property.default === undefined || property.default === "" ? "" : String(property.default);
    const range = hasBounds(property) ? ` (${accepts(property)})` : "";
    return { name, fallback, meaning: `${property.description ?? accepts(property)}${range}` };
  });
}

/** The `--help` lines for a schema: name, meaning and default of each variable. */
export function describeConfig(schema: TObject): string {
  const rows = configRows(schema).map(
    (row) =>
      [row.name, `${row.meaning}${row.fallback ? ` (default ${row.fallback})` : ""}`] as const,
  );
  const width = Math.max(...rows.map(([name]) => name.length));
  return rows.map(([name, text]) => `  ${name.padEnd(width)}  ${text}`).join("\n");
}

const hasBounds = (schema: TSchema) =>
  ["minimum", "exclusiveMinimum", "maximum"].some((bound) => schema[bound] !== undefined);

function accepts(schema: TSchema): string {
  if (schema.anyOf) return (schema.anyOf as TSchema[]).map(accepts).join(" or ");
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  const bounds = [
    schema.minimum === undefined ? "" : `>= ${schema.minimum}`,
    schema.exclusiveMinimum === undefined ? "" : `> ${schema.exclusiveMinimum}`,
    schema.maximum === undefined ? "" : `<= ${schema.maximum}`,
    schema.minLength ? "non-empty" : "",
    schema.pattern ? `matching ${schema.pattern}` : "",
  ].filter(Boolean);
  const kind = schema.type === "integer" ? "an integer" : `a ${schema.type ?? "value"}`;
  return bounds.length > 0 ? `${kind} ${bounds.join(", ")}` : kind;
}

// Variables shared by commands.
export const port = (fallback = 8080) =>
  Type.Integer({
    minimum: 0,
    maximum: 65535,
    default: fallback,
    description: "TCP port to listen on",
  });
/** A duration in seconds: above 0, or within `bounds` when the command has a reason for them. */
export const seconds = (
  fallback: number,
  description: string,
  bounds: { minimum: number; maximum: number } | { exclusiveMinimum: number } = {
    exclusiveMinimum: 0,
  },
) =>
  Type.Number({
    ...bounds,
    default: fallback,
    description: `${description}, in seconds`,
  });
export const url = (fallback: string | undefined, description: string) =>
  Type.String({
    pattern: "^https?://",
    default: fallback,
    description: `${description} (http:// or https:// URL)`,
  });

export const loggingEnv = {
  LOG_LEVEL: Type.Union(
    ["debug", "info", "warn", "error"].map((level) => Type.Literal(level)),
    { default: "info", description: "debug, info, warn or error" },
  ),
  LOG_FORMAT: Type.Union(
    ["auto", "json", "text"].map((format) => Type.Literal(format)),
    { default: "auto", description: "json, text, or auto (text on a terminal)" },
  ),
};

/** OTEL_TRACES_SAMPLER's values (the specification's names; the chart's schema takes these). */
export const TRACES_SAMPLERS = [
  "parentbased_always_on",
  "parentbased_always_off",
  "parentbased_traceidratio",
  "always_on",
  "always_off",
  "traceidratio",
];

/**
 * OpenTelemetry's standard variables (their names and meanings are the specification's, so
 * collectors' and operators' habits carry over). Only OTLP over HTTP: what every collector and
 * Jaeger receive on port 4318, with no gRPC stack in the binary.
 */
export const tracingEnv = {
  OTEL_EXPORTER_OTLP_ENDPOINT: Type.String({
    pattern: "^(https?://.+)?$",
    default: "",
    description:
      "OTLP/HTTP collector to send traces to, e.g. http://jaeger:4318 (spans go to its path /v1/traces); empty: no traces, nothing loaded",
  }),
  OTEL_EXPORTER_OTLP_PROTOCOL: Type.Union(
    ["http/protobuf", "http/json"].map((protocol) => Type.Literal(protocol)),
    { default: "http/protobuf", description: "http/protobuf or http/json" },
  ),
  OTEL_SERVICE_NAME: Type.String({
    default: "",
    description:
      "service.name of this process's spans (empty: demo- and the command, e.g. demo-users-server)",
  }),
  OTEL_TRACES_SAMPLER: Type.Union(
    TRACES_SAMPLERS.map((sampler) => Type.Literal(sampler)),
    {
      default: "parentbased_always_on",
      description:
        "which traces to record: always_on, always_off, traceidratio, or parentbased_ one of them (a request carrying a traceparent follows its caller's decision)",
    },
  ),
  OTEL_TRACES_SAMPLER_ARG: Type.Number({
    minimum: 0,
    maximum: 1,
    default: 1,
    description: "the ratio of traces a traceidratio sampler records",
  }),
  OTEL_RESOURCE_ATTRIBUTES: Type.String({
    pattern: "^([^=,]+=[^,]*(,[^=,]+=[^,]*)*)?$",
    default: "",
    description: "more resource attributes for every span, key=value,key2=value2",
  }),
};

/** What every command has: logs and traces. */
export const telemetryEnv = { ...loggingEnv, ...tracingEnv };

/** What every command that listens has: a port (clients serve /healthz and /metrics), logs and traces. */
export const listenEnv = { PORT: port(), ...telemetryEnv };

/** A server also drains on SIGTERM; clients stop at once, so they do not list the delay. */
export const serverEnv = {
  ...listenEnv,
  SHUTDOWN_DELAY_SECONDS: Type.Number({
    minimum: 0,
    default: 3,
    description: "after SIGTERM, seconds to answer /readyz 503 before closing the listener",
  }),
};
