// The README's commands and what it says they print, run: `demo --help`, a bad variable,
// `npm start`'s first lines and the echo curls against `demo all` (the users curls are run by
// src/users/api.test.ts). Run from source: the binary is the same code (src/binary.test.ts).
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { MAX_WAIT_SECONDS } from "../../src/echo/delay";
import { MAX_STATUS, MIN_STATUS } from "../../src/echo/status";
import { MAX_BODY_BYTES } from "../../src/lib/http-server";
import { freePort, type Running, start } from "../../src/testing/processes";

setDefaultTimeout(60_000);
const ROOT = join(import.meta.dir, "../..");
const README = readFileSync(join(ROOT, "README.md"), "utf8");
const MAIN = join(ROOT, "src/main.ts");

/** The console blocks of the README: each `$ command` with the lines it printed. */
function examples() {
  const found: Array<{ command: string; output: string }> = [];
  for (const [, block = ""] of README.matchAll(/```console\n([\s\S]*?)```/g)) {
    let current: { command: string; lines: string[] } | undefined;
    const flush = () =>
      current && found.push({ command: current.command, output: current.lines.join("\n") });
    for (const line of block.replace(/\n$/, "").split("\n")) {
      if (line.startsWith("$ ")) {
        flush();
        current = { command: line.slice(2), lines: [] };
      } else current?.lines.push(line);
    }
    flush();
  }
  return found;
}
const example = (command: string) => {
  const found = examples().find((e) => e.command === command);
  if (!found) throw new Error(`README.md has no console example "$ ${command}"`);
  return found.output;
};

const demo = (args: string[], env: Record<string, string> = {}) => {
  const result = Bun.spawnSync([process.execPath, MAIN, ...args], {
    env: { PATH: Bun.env.PATH ?? "/usr/bin:/bin", ...env },
  });
  return { code: result.exitCode, out: result.stdout.toString(), err: result.stderr.toString() };
};

test("`demo --help` prints what the README shows", () => {
  const { code, out } = demo(["--help"]);
  expect(code).toBe(0);
  expect(out.trimEnd()).toBe(example("demo --help"));
});

test("`PORT=eighty demo echo-server` fails as the README shows", () => {
  const { code, err } = demo(["echo-server"], { PORT: "eighty" });
  expect(code).not.toBe(0);
  expect(err.trimEnd()).toBe(example("PORT=eighty demo echo-server"));
});

test("`demo all --help` names the users variables the quickstart says apply to it", () => {
  const { code, out } = demo(["all", "--help"]);
  expect(code).toBe(0);
  for (const name of ["MYSQL_URL", "REDIS_URL", "USERS_PORT"]) expect(out).toContain(name);
});

describe("`npm start` (demo all)", () => {
  let stack: Running;
  const ports = { echo: 0, users: 0, heartbeat: 0 };
  beforeAll(async () => {
    for (const name of Object.keys(ports) as Array<keyof typeof ports>)
      ports[name] = await freePort();
    stack = start([process.execPath, MAIN, "all"], {
      ECHO_PORT: String(ports.echo),
      USERS_PORT: String(ports.users),
      HEARTBEAT_PORT: String(ports.heartbeat),
      LOG_FORMAT: "text",
    });
    await stack.waitForLine(/\[echo-client\] Server Response: status=200/);
  });
  afterAll(() => stack.stop());

  // Times, ids and start-up times differ run to run; the lines, their components and messages
  // do not (their order does, between the systems: compared as a set).
  const shape = (line: string) =>
    line
      .replace(/^\d\d:\d\d:\d\d\.\d{3} /, "")
      .replace(/ [a-zA-Z]+=.*$/, "")
      .trim();

  test("its first lines are the README's sample, one for one", async () => {
    const sample = example("npm start").split("\n");
    for (const line of sample) {
      const escaped = shape(line).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      await stack.waitForLine(new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} ${escaped}( |$)`));
    }
    const printed = stack.lines.slice(0, sample.length);
    expect(printed.map(shape).sort()).toEqual(sample.map(shape).sort());
  });

  test("every port serves the one merged /metrics (README's endpoints table)", async () => {
    for (const port of Object.values(ports)) {
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).toContain("users_cache_lookups_total");
      expect(metrics).toContain('http_requests_total{method="POST",route="/",status="200"}');
    }
  });

  // Every echo curl of the README, in its order (the readiness switch is turned off, then on).
  const echoCurls = examples()
    .map(({ command }) => command)
    .filter((command) => command.startsWith("curl ") && command.includes("localhost:8080/"));
  test("the README shows the echo curls", () => {
    expect(echoCurls.length).toBeGreaterThanOrEqual(8);
  });
  test.each(echoCurls)("`%s` prints what the README shows", async (command) => {
    // curl [-X METHOD] [-d 'BODY'] localhost:8080/PATH, the forms the README uses.
    const match = command.match(/^curl (?:-X (\w+) )?(?:-d '([^']*)' )?localhost:8080(\/\S*)$/);
    if (!match) throw new Error(`a README curl this test cannot run: ${command}`);
    const [, method, body, path] = match;
    const response = await fetch(`http://127.0.0.1:${ports.echo}${path}`, {
      method: method ?? (body === undefined ? "GET" : "POST"),
      body,
    });
    expect((await response.text()).trimEnd()).toBe(example(command));
  });
});

test("the README's echo endpoints table states the code's bounds", () => {
  expect(README).toContain(`\`seconds\`: a number from 0 to ${MAX_WAIT_SECONDS}, like`);
  expect(README).toContain(`\`code\`: a whole number from ${MIN_STATUS} to ${MAX_STATUS} |`);
  expect(README).toContain(`a message over ${MAX_BODY_BYTES / 1024} KiB (the body limit)`);
});
