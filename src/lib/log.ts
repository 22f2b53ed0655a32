// Structured logs: one JSON object per line on stdout, readable text on a terminal.
export type Level = "debug" | "info" | "warn" | "error";
export type Fields = Record<string, unknown>;

const rank: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const settings = { level: "info" as Level, text: Boolean(process.stdout.isTTY) };

export function configureLogging(options: { LOG_LEVEL: Level | string; LOG_FORMAT: string }) {
  settings.level = options.LOG_LEVEL as Level;
  settings.text =
    options.LOG_FORMAT === "text" ||
    (options.LOG_FORMAT === "auto" && Boolean(process.stdout.isTTY));
}

// Fields every line gets from where it is written: trace_id and span_id inside a traced
// request (set by tracing.ts when traces are on; nothing is asked otherwise).
let contextFields: (() => Fields | undefined) | undefined;
export function setLogFields(fields: () => Fields | undefined) {
  contextFields = fields;
}

export interface Logger {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
}

export function createLogger(component: string): Logger {
  const write = (level: Level) => (msg: string, fields?: Fields) => {
    if (rank[level] < rank[settings.level]) return;
    const time = new Date().toISOString();
    if (contextFields) fields = { ...fields, ...contextFields() };
    const line = settings.text
      ? formatText(time, level, component, msg, fields)
      : JSON.stringify({ time, level, component, msg, ...fields }, replaceErrors);
    process.stdout.write(`${line}\n`);
  };
  return { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
}

/** Errors turn into their message (JSON.stringify would print `{}`). */
function replaceErrors(_key: string, value: unknown) {
  return value instanceof Error ? value.message : value;
}

function formatText(time: string, level: Level, component: string, msg: string, fields?: Fields) {
  // An absent field (undefined) is left out, as JSON.stringify leaves it out of JSON lines.
  const extra = Object.entries(fields ?? {})
    .filter(([, value]) => value !== undefined)
    .map(
      ([key, value]) =>
        `${key}=${typeof value === "string" ? value : JSON.stringify(value, replaceErrors)}`,
    )
    .join(" ");
  return `${time.slice(11, 23)} ${level.toUpperCase().padEnd(5)} [${component}] ${msg}${extra ? ` ${extra}` : ""}`;
}
