// The endpoints for testing a cluster, against a real echo server: what each answers, the 4xx
// for bad input, and that none can wedge the process: pending waits do not hold /healthz up,
// and a client leaving or the process stopping frees what they held.
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { MAX_BODY_BYTES } from "../lib/http-server";
import { recordingLogger } from "../testing/logger";
import { metricValue } from "../testing/metrics";
import { closing, openRequest, rawHttp } from "../testing/raw-http";
import { serveOnFreePort } from "../testing/serve";
import { waitFor } from "../testing/wait";
import { openWebSocket } from "../testing/websocket";
import { MAX_WAIT_SECONDS } from "./delay";
import { createEchoServer } from "./server";
import { MAX_STATUS, MIN_STATUS } from "./status";

// A thousand connections and streams of over a second: seconds on a busy machine.
setDefaultTimeout(120_000);

const { base, stop } = serveOnFreePort(createEchoServer(recordingLogger()));
const port = Number(new URL(base).port);
afterAll(stop);

/** How many requests `route` holds open now (the gauge is per process: one test at a time). */
const inProgress = async (route: string, server = base) =>
  (await metricValue(server, "echo_requests_in_progress", { route })) ?? 0;
const lines = (text: string) =>
  text
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line));

describe("echo testing endpoints", () => {
  test("/delay/{seconds} answers podinfo's body once the time is up", async () => {
    const response = await fetch(`${base}/delay/0.2`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ delay: 0.2 });
  });

  // Bun checks idle timeouts every 4 s: a 1 s timeout closes a silent connection within 8 s.
  test("a delay outlives Bun's idle timeout (Elysia's default is 30 s; 1 s here)", async () => {
    const app = createEchoServer(recordingLogger());
    app.listen({ port: 0, hostname: "127.0.0.1", idleTimeout: 1 });
    try {
      const response = await fetch(`http://127.0.0.1:${app.server?.port}/delay/9`);
      expect(await response.json()).toEqual({ delay: 9 });
    } finally {
      await app.stop(true);
    }
  });

  const waits = ["/delay", "/chunked"];
  test.each(
    waits.flatMap((route) =>
      ["abc", "-1", String(MAX_WAIT_SECONDS + 0.5), "1e1", "0x10", "%20", "Infinity"].map(
        (value) => [`${route}/${value}`],
      ),
    ),
  )("%s is a 422 naming the field and the bound", async (path) => {
    const response = await fetch(`${base}${path}`);
    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({
      error: "invalid params: seconds",
      fields: [
        {
          field: "seconds",
          problem: `must be a number of seconds from 0 to ${MAX_WAIT_SECONDS}, like 5 or 0.5`,
        },
      ],
    });
  });

  test.each([200, 201, 302, 404, 418, 429, 500, 503, 599])(
    "/status/%d answers that status with a small JSON body",
    async (code) => {
      const response = await fetch(`${base}/status/${code}`, { redirect: "manual" });
      expect(response.status).toBe(code);
      expect(await response.json()).toEqual({ status: code });
    },
  );

  test.each([204, 205, 304])("/status/%d answers with no body, as HTTP requires", async (code) => {
    const raw = await rawHttp(port, closing("GET", `/status/${code}`));
    expect(raw).toStartWith(`HTTP/1.1 ${code} `);
    expect(raw.split("\r\n\r\n")[1]).toBe("");
  });

  test.each(["199", "600", "2.5", "x", "0x1f4", ""])(
    "/status/%s is a 422 naming the bounds (or a 404 with no code)",
    async (code) => {
      const response = await fetch(`${base}/status/${code}`);
      if (code === "") {
        expect(response.status).toBe(404);
        return;
      }
      expect(response.status).toBe(422);
      const body = await response.json();
      expect(body.error).toBe("invalid params: code");
      expect(body.fields).toEqual([
        { field: "code", problem: `must be a whole number from ${MIN_STATUS} to ${MAX_STATUS}` },
      ]);
    },
  );

  test("a 5xx from /status is counted under its route, not logged as a failure", async () => {
    const log = recordingLogger();
    const server = serveOnFreePort(createEchoServer(log));
    expect((await fetch(`${server.base}/status/500`)).status).toBe(500);
    expect(
      await metricValue(server.base, "http_requests_total", {
        route: "/status/:code",
        status: "500",
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(log.entries.filter((entry) => entry.level === "error")).toEqual([]);
    await server.stop();
  });

  test("/headers answers the request's headers as JSON", async () => {
    const response = await fetch(`${base}/headers`, {
      headers: { "X-Test": "one", authorization: "Bearer t" },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      "x-test": "one",
      authorization: "Bearer t",
      host: `127.0.0.1:${port}`,
    });
    // A repeated header is one entry, its values joined as the Fetch standard joins them.
    const raw = await rawHttp(
      port,
      closing("GET", "/headers", "localhost", "X-Rep: a\r\nX-Rep: b\r\n"),
    );
    expect(JSON.parse(raw.split("\r\n\r\n")[1] ?? "")).toMatchObject({ "x-rep": "a, b" });
  });

  test("/chunked/{seconds} streams a line a second, chunked, then podinfo's body", async () => {
    const response = await fetch(`${base}/chunked/1.5`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/x-ndjson");
    expect(lines(await response.text())).toEqual([{ elapsed: 0 }, { elapsed: 1 }, { delay: 1.5 }]);
    // Streamed as it is written (/chunked/0 has its whole body at once: Bun sends a length).
    const raw = await rawHttp(port, closing("GET", "/chunked/1"));
    expect(raw.toLowerCase()).toContain("\r\ntransfer-encoding: chunked\r\n");
  });

  test("/chunked sends its first line at once, and a client leaving frees the stream", async () => {
    const leave = new AbortController();
    const response = await fetch(`${base}/chunked/${MAX_WAIT_SECONDS}`, { signal: leave.signal });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe('{"elapsed":0}\n');
    expect(await inProgress("/chunked/:seconds")).toBe(1);
    leave.abort();
    await waitFor(
      "the stream to be freed",
      async () => (await inProgress("/chunked/:seconds")) === 0,
    );
  });

  test("/ws/echo sends each message back as it came, text or binary", async () => {
    const ws = await openWebSocket(`ws://127.0.0.1:${port}/ws/echo`);
    // Text that looks like JSON comes back byte for byte, not parsed and printed again.
    const texts = ['"hello"', "42", '{ "a" : 1 }', "true", "plain text"];
    const binary = new Uint8Array([0, 1, 2, 255]);
    for (const text of texts) ws.socket.send(text);
    ws.socket.send(binary);
    await waitFor("every echo", () => ws.received.length === texts.length + 1);
    expect(ws.received).toEqual([...texts, binary]);
    expect(await inProgress("/ws/echo")).toBe(1);
    ws.socket.close(1000);
    expect((await ws.closed).code).toBe(1000);
    await waitFor("the socket to be freed", async () => (await inProgress("/ws/echo")) === 0);
  });

  test("a WebSocket message over the body limit closes the socket with 1009", async () => {
    const ws = await openWebSocket(`ws://127.0.0.1:${port}/ws/echo`);
    ws.socket.send("x".repeat(MAX_BODY_BYTES + 1));
    expect((await ws.closed).code).toBe(1009);
    expect(ws.received).toEqual([]);
    // The server still echoes for anyone else.
    const other = await openWebSocket(`ws://127.0.0.1:${port}/ws/echo`);
    other.socket.send("x".repeat(MAX_BODY_BYTES));
    await waitFor("the largest message back", () => other.received.length === 1);
    other.socket.close();
    await other.closed;
    await waitFor("both sockets freed", async () => (await inProgress("/ws/echo")) === 0);
  });

  test("GET /ws/echo without an upgrade is a JSON 426", async () => {
    const response = await fetch(`${base}/ws/echo`);
    expect(response.status).toBe(426);
    expect(response.headers.get("upgrade")).toBe("websocket");
    expect((await response.json()).error).toContain("Upgrade: websocket");
  });

  test("POST /readyz/disable turns readiness off without stopping; /readyz/enable back on", async () => {
    const server = serveOnFreePort(createEchoServer(recordingLogger()));
    const disable = await fetch(`${server.base}/readyz/disable`, { method: "POST" });
    expect(disable.status).toBe(202);
    expect(await disable.json()).toEqual({ readyz: "disabled" });
    const readyz = await fetch(`${server.base}/readyz`);
    expect(readyz.status).toBe(503);
    expect((await readyz.json()).checks.manual).toStartWith("off: POST /readyz/disable");
    expect((await fetch(`${server.base}/healthz`)).status).toBe(200);
    expect((await fetch(`${server.base}/`)).status).toBe(200);
    // Each server has its own switch: the other one stays ready.
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const enable = await fetch(`${server.base}/readyz/enable`, { method: "POST" });
    expect(enable.status).toBe(202);
    expect(await (await fetch(`${server.base}/readyz`)).json()).toEqual({
      status: "ready",
      checks: { manual: "ok" },
    });
    expect((await fetch(`${server.base}/readyz/disable`)).status).toBe(405);
    await server.stop();
  });

  test("a thousand pending /delay/60 do not delay /healthz, and clients leaving frees them", async () => {
    const pending = 1_000;
    const request = `GET /delay/${MAX_WAIT_SECONDS} HTTP/1.1\r\nHost: localhost\r\n\r\n`;
    const sockets = [];
    try {
      // In batches: a thousand connects at once overflow the listen backlog into SYN retries.
      for (let i = 0; i < pending; i += 100)
        sockets.push(
          ...(await Promise.all(Array.from({ length: 100 }, () => openRequest(port, request)))),
        );
      await waitFor(
        `${pending} delays pending`,
        async () => (await inProgress("/delay/:seconds")) === pending,
        60_000,
      );
      const healthz = await fetch(`${base}/healthz`);
      expect(healthz.status).toBe(200);
      expect(await healthz.json()).toEqual({ status: "ok" });
      // ...answered while every delay was still pending.
      expect(await inProgress("/delay/:seconds")).toBe(pending);
    } finally {
      for (const socket of sockets) socket.destroy();
    }
    await waitFor("every delay freed", async () => (await inProgress("/delay/:seconds")) === 0);
    expect(
      await metricValue(base, "http_requests_total", { route: "/delay/:seconds", status: "499" }),
    ).toBeGreaterThanOrEqual(pending);
  });

  test("stopping ends pending delays (503), streams (a last line) and WebSockets (1001)", async () => {
    const stopping = new AbortController();
    const server = serveOnFreePort(createEchoServer(recordingLogger(), stopping.signal));
    const delay = fetch(`${server.base}/delay/${MAX_WAIT_SECONDS}`);
    const chunked = await fetch(`${server.base}/chunked/${MAX_WAIT_SECONDS}`);
    const ws = await openWebSocket(`${server.base.replace("http", "ws")}/ws/echo`);
    await waitFor(
      "the delay to be pending",
      async () => (await inProgress("/delay/:seconds")) === 1,
    );
    stopping.abort();
    const answer = await delay;
    expect(answer.status).toBe(503);
    expect(await answer.json()).toMatchObject({
      error: expect.stringContaining("the server is stopping"),
      delay: MAX_WAIT_SECONDS,
    });
    const streamed = lines(await chunked.text());
    expect(streamed[0]).toEqual({ elapsed: 0 });
    expect(streamed.at(-1).error).toContain("the server is stopping");
    expect(await ws.closed).toEqual({ code: 1001, reason: "the server is stopping" });
    // One asked for after the stop ends at once, too.
    expect((await fetch(`${server.base}/delay/${MAX_WAIT_SECONDS}`)).status).toBe(503);
    // The server may see a socket's close after the client does: wait for it.
    for (const route of ["/delay/:seconds", "/chunked/:seconds", "/ws/echo"])
      await waitFor(`${route} freed`, async () => (await inProgress(route)) === 0);
    await server.stop();
  });
});
