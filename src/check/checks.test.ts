// `demo check echo` and `demo check heartbeat` against servers that are not what they expect:
// the FAIL line must say what went wrong in one readable line.
import { afterAll, describe, expect, test } from "bun:test";
import { createEchoServer } from "../echo/server";
import { createHeartbeatServer } from "../heartbeat/server";
import { recordingLogger } from "../testing/logger";
import { serveOnFreePort } from "../testing/serve";
import { checkEcho } from "./echo";
import { CheckFailed } from "./expect";
import { checkHeartbeat } from "./heartbeat";

const stop = new AbortController();
afterAll(() => stop.abort());

// A web server that is not echo: a 9 KB HTML page for every request, as a proxy's error page.
const page = `<!doctype html><html><body>${"<p>not the echo server</p>".repeat(350)}</body></html>`;
const wrongServer = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  fetch: () => new Response(page, { headers: { "content-type": "text/html" } }),
});
afterAll(() => wrongServer.stop(true));

describe("demo check echo", () => {
  test("against an echo server: every exchange, the testing endpoints included", async () => {
    const served = serveOnFreePort(createEchoServer(recordingLogger(), stop.signal));
    const lines: string[] = [];
    const log = console.log;
    console.log = (line: string) => lines.push(line);
    try {
      await checkEcho(served.base);
    } finally {
      console.log = log;
      served.stop();
    }
    expect(lines).toEqual([
      "ok   GET / -> 200",
      "ok   POST / -> 200",
      "ok   POST / -> 422",
      "ok   GET /status/418 -> 418",
      "ok   GET /delay/0.1 -> 200",
      "ok   GET /headers -> 200",
    ]);
  });

  test("against another web server: one short line naming the body's type and size", async () => {
    const run = checkEcho(`http://127.0.0.1:${wrongServer.port}`);
    await expect(run).rejects.toBeInstanceOf(CheckFailed);
    const message = await run.then(
      () => "",
      (error: Error) => error.message,
    );
    expect(message).toContain(`body of ${page.length} bytes (text/html)`);
    expect(message.length).toBeLessThan(300);
  });
});

describe("demo check heartbeat", () => {
  const server = createHeartbeatServer({
    config: {
      HEARTBEAT_TOKEN: "the-token",
      HEARTBEAT_INTERVAL: 3,
      HEARTBEAT_LOST_REPEAT: 10,
      HEARTBEAT_FORGET_AFTER: 600,
    },
    log: recordingLogger(),
    signal: stop.signal,
  });
  const served = serveOnFreePort(server.app);
  afterAll(served.stop);
  const { base } = served;

  test("with a wrong token: says the token was rejected", async () => {
    const run = checkHeartbeat(base, { HEARTBEAT_TOKEN: "not-it", HEARTBEAT_CHECK_WAIT: 1 });
    await expect(run).rejects.toThrow(/^token rejected: the server answered 401/);
  });

  test("with the right token and no client: says no client is UP", async () => {
    const run = checkHeartbeat(base, { HEARTBEAT_TOKEN: "the-token", HEARTBEAT_CHECK_WAIT: 0.1 });
    await expect(run).rejects.toThrow(/^no client UP with metrics within 0.1 s; clients: none$/);
  });
});
