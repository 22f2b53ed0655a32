// What a `demo` command is, and the dispatcher that runs one: `demo <command> [--help]`.
import type { Static, TObject } from "@sinclair/typebox";
import pkg from "../../package.json";
import { ConfigError, describeConfig, readConfig } from "./config";
import { exitOnSignals } from "./lifecycle";
import { configureLogging } from "./log";

export interface Command<S extends TObject = TObject> {
  summary: string;
  /** Positional arguments, for the usage line (e.g. "<echo|users|heartbeat> [url]"). */
  args?: string;
  env: S;
  run(config: Static<S>, args: string[]): Promise<unknown> | unknown;
}

/** Keeps each command's config type tied to its schema. */
export const defineCommand = <S extends TObject>(command: Command<S>) => command as Command<S>;

export async function dispatch(commands: Record<string, Command>, argv: string[]) {
  const [name, ...args] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    console.log(usage(commands));
    return 0;
  }
  const command = commands[name];
  if (!command) {
    console.error(`demo: unknown command "${name}"\n\n${usage(commands)}`);
    return 2;
  }
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
  const result = await command.run(config, args);
  return typeof result === "number" ? result : undefined;
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
${vars ? `\nEnvironment:\n${vars}\n` : ""}`;
}
