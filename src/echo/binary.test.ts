// The testing endpoints in the compiled binary: the WebSocket echo (upgraded through Elysia's
// Bun adapter) works in the bundle, and SIGTERM ends a pending /delay and an open WebSocket at
// once, so the process drains and exits 0 instead of waiting out its grace period.
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { compiledBinary } from "../testing/binary";
import { metricValue } from "../testing/metrics";
import { freePort, type Running, start, waitForHttp } from "../testing/processes";
import { waitFor } from "../testing/wait";
import { openWebSocket } from "../testing/websocket";
import { MAX_WAIT_SECONDS } from "./delay";

setDefaultTimeout(60_000);

let binary = "";
let server: Running | undefined;
beforeAll(async () => {
  binary = await compiledBinary();
}, 120_000);
afterAll(() => server?.process.kill("SIGKILL"));

test("demo echo-server: /ws/echo echoes, and SIGTERM ends a pending /delay and the socket", async () => {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  server = start([binary, "echo-server"], { PORT: String(port), SHUTDOWN_DELAY_SECONDS: "0" });
  await waitForHttp(`${base}/healthz`);

  const ws = await openWebSocket(`ws://127.0.0.1:${port}/ws/echo`);
  ws.socket.send('{ "a" : 1 }');
  await waitFor("the echo", () => ws.received.length === 1);
  expect(ws.received).toEqual(['{ "a" : 1 }']);
  expect((await fetch(`${base}/status/418`)).status).toBe(418);

  const delay = fetch(`${base}/delay/${MAX_WAIT_SECONDS}`);
  await waitFor(
    "the delay to be pending",
    async () =>
      (await metricValue(base, "echo_requests_in_progress", { route: "/delay/:seconds" })) === 1,
  );
  server.process.kill("SIGTERM");
  const answer = await delay;
  expect(answer.status).toBe(503);
  expect((await answer.json()).error).toContain("the server is stopping");
  expect(await ws.closed).toEqual({ code: 1001, reason: "the server is stopping" });
  expect(await server.process.exited).toBe(0);
  // Drained, not let go by the grace timer (which exits 0 too, after logging that it gave up).
  await server.waitForLine(/"msg":"stopped"/);
  expect(server.lines.filter((line) => line.includes("stop timed out"))).toEqual([]);
});
