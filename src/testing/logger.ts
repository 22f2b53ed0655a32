// The one logger fake of the tests: it records every entry instead of printing it.
import type { Fields, Level, Logger } from "../lib/log";

export interface LogEntry {
  level: Level;
  msg: string;
  fields: Fields;
  /** When it was logged, by the clock given (a test's fake clock), else Date.now(). */
  at: number;
}

export function recordingLogger(
  now: () => number = Date.now,
  entries: LogEntry[] = [],
): Logger & { entries: LogEntry[] } {
  const write =
    (level: Level) =>
    (msg: string, fields: Fields = {}) => {
      entries.push({ level, msg, fields, at: now() });
    };
  return {
    entries,
    debug: write("debug"),
    info: write("info"),
    warn: write("warn"),
    error: write("error"),
  };
}
