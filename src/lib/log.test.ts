// What the logger prints: one JSON object per line, or readable text (LOG_FORMAT=text).
import { afterEach, beforeEach, describe, expect, spyOn, test } from "bun:test";
import { configureLogging, createLogger } from "./log";

let printed: string[] = [];
let stdout: ReturnType<typeof spyOn>;
beforeEach(() => {
  printed = [];
  stdout = spyOn(process.stdout, "write").mockImplementation((chunk: unknown) => {
    printed.push(String(chunk));
    return true;
  });
});
afterEach(() => {
  stdout.mockRestore();
  configureLogging({ LOG_LEVEL: "info", LOG_FORMAT: "auto" });
});

// heartbeat's `client left` for a client that never said which node it runs on.
const left = { clientId: "vm", node: undefined, bootId: "b-1" };

describe("text logs", () => {
  test("print the fields given as key=value, and leave out the absent ones", () => {
    configureLogging({ LOG_LEVEL: "info", LOG_FORMAT: "text" });
    createLogger("heartbeat-server").info("client left", left);
    createLogger("heartbeat-server").warn("client lost", {
      clientId: "vm",
      missed: 3,
      lastMetrics: undefined,
      nested: { cpu: 1.5 },
      error: new Error("boom"),
    });
    expect(printed).toHaveLength(2);
    expect(printed[0]).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} INFO {2}\[heartbeat-server\] client left clientId=vm bootId=b-1\n$/,
    );
    expect(printed[1]).toEndWith(
      ' client lost clientId=vm missed=3 nested={"cpu":1.5} error="boom"\n',
    );
  });
});

describe("JSON logs", () => {
  test("leave out the absent fields too", () => {
    configureLogging({ LOG_LEVEL: "info", LOG_FORMAT: "json" });
    createLogger("heartbeat-server").info("client left", left);
    const line = JSON.parse(printed[0] ?? "");
    expect(line).toMatchObject({
      level: "info",
      component: "heartbeat-server",
      msg: "client left",
    });
    expect(Object.keys(line)).toEqual(["time", "level", "component", "msg", "clientId", "bootId"]);
  });
});
