// What a `demo` command is, and the dispatcher that runs one: `demo <command> [--help]`.
import type { Static, TObject } from "@sinclair/typebox";
import pkg from "../../package.json";
import { ConfigError, describeConfig, FILE_SUFFIX, readConfig } from "./config";
import { exitOnSignals } from "./lifecycle";
import { configureLogging } from "./log";
import { flushTracing, startTracing, type TracingConfig } from "./tracing";

// `bun build --define DEMO_NO_TRACING=true` (scripts/bench/traces.ts) drops the SDK from the
// bundle: the reference that "tracing compiled in but off" is measured against.
declare const DEMO_NO_TRACING: boolean;

export interface Command<S extends TObject = TObject> {
  summary: string;
  /** Positional arguments, for the usage line (e.g. "<echo|users|heartbeat> [url]"). */
  args?: string;
  env: S;
  /** More for `--help`, after the variables (what else the command reads). */
  notes?: string;
  run(config: Static<S>, args: string[]): Promise<unknown> | unknown;
}

/** Keeps each command's config type tied to its schema. */
export const defineCommand = <S extends TObject>(command: Command<S>) => command as Command<S>;

/** Command names to loaders, so that a command evaluates only the modules it needs. */
export type CommandTable = Record<string, () => Promise<Command>>;

export async function dispatch(table: CommandTable, argv: string[]) {
  const [name, ...args] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    console.log(usage(await loadAll(table)));
    return 0;
  }
  const load = table[name];
  if (!load) {
    console.error(`demo: unknown command "${name}"\n\n${usage(await loadAll(table))}`);
    return 2;
  }
  const command = await load();
  if (args.includes("--help") || args.includes("-h")) {
    console.log(help(name, command));
    return 0;
  }
  let config: Static<TObject>;
  try {
    config = readConfig(command.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(
      `demo ${name}: ${error.message}\n\nRun "demo ${name} --help" for every variable.`,
    );
    return 2;
  }
  if ("LOG_LEVEL" in config) configureLogging(config as never);
  exitOnSignals();
  if (typeof DEMO_NO_TRACING === "undefined" && "OTEL_EXPORTER_OTLP_ENDPOINT" in config)
    await startTracing(config as TracingConfig, name);
  try {
    const result = await command.run(config, args);
    await flushTracing();
    return typeof result === "number" ? result : undefined;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`demo ${name}: ${error.message}`); // a busy PORT, say
    return 2;
  }
}

async function loadAll(table: CommandTable) {
  const entries = await Promise.all(
    Object.entries(table).map(async ([name, load]) => [name, await load()] as const),
  );
  return Object.fromEntries(entries) as Record<string, Command>;
}

function usage(commands: Record<string, Command>) {
  const width = Math.max(...Object.keys(commands).map((name) => name.length));
  const lines = Object.entries(commands).map(
    ([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`,
  );
  return `demo ${pkg.version}: echo, users and heartbeat microservices in one binary.

Usage: demo <command> [--help]

Commands:
${lines.join("\n")}

Configuration comes from environment variables; "demo <command> --help" lists them.`;
}

function help(name: string, command: Command) {
  const vars = describeConfig(command.env);
  return `Usage: demo ${name}${command.args ? ` ${command.args}` : ""}

${command.summary}
${vars ? `\nEnvironment:\n${vars}\n\nAny variable NAME may be given as NAME${FILE_SUFFIX}, a file holding its value (e.g. a mounted Secret).\n` : ""}${command.notes ? `\n${command.notes}\n` : ""}`;
}
