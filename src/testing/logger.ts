// The one logger fake of the tests: it records every entry instead of printing it.
import type { Fields, Level, Logger } from "../lib/log";

export interface LogEntry {
  level: Level;
  msg: string;
  fields?: Fields;
}

export function recordingLogger(entries: LogEntry[] = []): Logger & { entries: LogEntry[] } {
  const write = (level: Level) => (msg: string, fields?: Fields) => {
    entries.push({ level, msg, fields });
  };
  return {
    entries,
    debug: write("debug"),
    info: write("info"),
    warn: write("warn"),
    error: write("error"),
  };
}
