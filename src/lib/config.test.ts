import { describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ConfigError,
  describeConfig,
  readConfig,
  seconds,
  serverEnv,
  T,
  tracingEnv,
  url,
} from "./config";

const schema = T.Object({
  ...serverEnv,
  SERVER_URL: url("http://localhost:8080", "where to send"),
  ECHO_INTERVAL: seconds(5, "time between requests"),
});

describe("readConfig", () => {
  test("defaults fill what is unset, strings convert to numbers", () => {
    const config = readConfig(schema, { PORT: "9090", ECHO_INTERVAL: "0.5" });
    expect(config).toEqual({
      PORT: 9090,
      SHUTDOWN_DELAY_SECONDS: 3,
      LOG_LEVEL: "info",
      LOG_FORMAT: "auto",
      SERVER_URL: "http://localhost:8080",
      ECHO_INTERVAL: 0.5,
      ...readConfig(T.Object(tracingEnv), {}),
    });
  });

  test("an empty variable counts as unset", () => {
    expect(readConfig(schema, { PORT: "" }).PORT).toBe(8080);
  });

  test.each([
    ["PORT", "eighty", 'PORT="eighty": expected an integer >= 0, <= 65535'],
    ["PORT", "70000", 'PORT="70000": expected an integer >= 0, <= 65535'],
    ["PORT", "8080.5", 'PORT="8080.5": expected an integer >= 0, <= 65535'],
    ["ECHO_INTERVAL", "0", 'ECHO_INTERVAL="0": expected a number > 0'],
    [
      "SERVER_URL",
      "localhost:8080",
      'SERVER_URL="localhost:8080": expected a string matching ^https?://',
    ],
    ["LOG_LEVEL", "loud", 'LOG_LEVEL="loud": expected "debug" or "info" or "warn" or "error"'],
  ])("%s=%s is refused, naming the variable and what it accepts", (name, value, message) => {
    expect(() => readConfig(schema, { [name]: value })).toThrow(ConfigError);
    expect(() => readConfig(schema, { [name]: value })).toThrow(message);
  });

  test("NAME_FILE gives the value from a file (a mounted Secret); NAME wins over it", () => {
    const dir = mkdtempSync(join(tmpdir(), "config-test-"));
    const file = join(dir, "port");
    writeFileSync(file, "9191\n");
    expect(readConfig(schema, { PORT_FILE: file }).PORT).toBe(9191);
    expect(readConfig(schema, { PORT_FILE: file, PORT: "9292" }).PORT).toBe(9292);
    writeFileSync(file, "ninety\n");
    expect(() => readConfig(schema, { PORT_FILE: file })).toThrow(
      'PORT_FILE="ninety": expected an integer',
    );
  });

  test("an unreadable NAME_FILE is refused, naming the variable and the file", () => {
    expect(() => readConfig(schema, { PORT_FILE: "/nonexistent/port" })).toThrow(
      /PORT_FILE="\/nonexistent\/port": ENOENT/,
    );
  });

  test("every bad variable is reported at once", () => {
    expect(() => readConfig(schema, { PORT: "x", ECHO_INTERVAL: "-1" })).toThrow(
      /PORT=.*\n.*ECHO_INTERVAL=/,
    );
  });
});

test("describeConfig lists each variable with its default and meaning", () => {
  const help = describeConfig(schema);
  expect(help).toContain("PORT");
  expect(help).toContain("(default 8080)");
  expect(help).toContain(
    // Aligned after the longest name, OTEL_EXPORTER_OTLP_ENDPOINT (27 characters).
    `${"ECHO_INTERVAL".padEnd(27)}  time between requests, in seconds (a number > 0) (default 5)`,
  );
});
