// `npm start` (demo all): the whole stack comes up on localhost with no cluster.
import { afterAll, expect, setDefaultTimeout, test } from "bun:test";
import { resolve } from "node:path";
import { localStackEnv } from "./local-stack";
import { freePort, start } from "./testing/processes";

setDefaultTimeout(30_000);

const ports = {
  ECHO_PORT: await freePort(),
  USERS_PORT: await freePort(),
  HEARTBEAT_PORT: await freePort(),
};
const stack = start(["bun", resolve(import.meta.dir, "main.ts"), "all"], {
  ...Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, String(port)])),
  ECHO_INTERVAL: "0.2",
});
afterAll(() => stack.stop("SIGKILL"));

test("demo all prints where to curl and serves echo", async () => {
  const up = await stack.waitForLine(/stack is up/);
  expect(up).toContain(`curl http://localhost:${ports.ECHO_PORT}/`);
  const response = await fetch(`http://127.0.0.1:${ports.ECHO_PORT}/`);
  expect(await response.json()).toEqual({ message: "This is a GET response" });
});

test("the local echo client reaches the local echo server", async () => {
  const answer = await stack.waitForLine(/"component":"echo-client".*Server Response:/);
  expect(JSON.parse(answer).body).toEqual({ response: "Hello, Response from Client!!" });
});

test("SIGTERM stops the whole stack with exit 0", async () => {
  expect(await stack.stop("SIGTERM")).toBe(0);
});

test("the chart's NOTES port-forward each system to the port demo all serves it on", async () => {
  const notes = await Bun.file(
    resolve(import.meta.dir, "../charts/demo/templates/NOTES.txt"),
  ).text();
  const dict = notes.match(/\$localPort := dict ((?:"\w+" \d+ ?)+)/)?.[1] ?? "";
  const ports = Object.fromEntries(
    [...dict.matchAll(/"(\w+)" (\d+)/g)].map(([, system, port]) => [system, Number(port)]),
  );
  const { ECHO_PORT, USERS_PORT, HEARTBEAT_PORT } = localStackEnv.properties;
  expect(ports).toEqual({
    echo: ECHO_PORT.default,
    users: USERS_PORT.default,
    heartbeat: HEARTBEAT_PORT.default,
  });
});
