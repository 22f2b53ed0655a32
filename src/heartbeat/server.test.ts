// The heartbeat server's HTTP API in-process: auth, bad input, the JSON, Prometheus and
// event-stream views, and forgetting (on a fake clock, swept by hand).
import { afterAll, describe, expect, test } from "bun:test";
import { ConfigError, readConfig } from "../lib/config";
import { recordingLogger } from "../testing/logger";
import { serveOnFreePort } from "../testing/serve";
import { heartbeatClientEnv } from "./client";
import type { Heartbeat, MetricsReport } from "./protocol";
import { INTERVAL_BOUNDS } from "./protocol";
import type { ClientView } from "./registry";
import { createHeartbeatServer, heartbeatServerEnv } from "./server";

const TOKEN = "test-token";
const stop = new AbortController();
afterAll(() => stop.abort());

function startServer(now?: () => number) {
  const server = createHeartbeatServer({
    config: {
      HEARTBEAT_TOKEN: TOKEN,
      HEARTBEAT_INTERVAL: 0.2,
      HEARTBEAT_LOST_REPEAT: 10,
      HEARTBEAT_FORGET_AFTER: 60,
    },
    log: recordingLogger(),
    now,
    signal: stop.signal,
  });
  const served = serveOnFreePort(server.app);
  afterAll(served.stop);
  return { ...server, base: served.base };
}

const { base, registry } = startServer();

const beat = (clientId: string, seq = 1): Heartbeat => ({
  clientId,
  bootId: "boot-1",
  seq,
  sentAt: Date.now(),
  intervalSeconds: 0.2,
  node: "node-1",
});
const usage = (clientId: string): MetricsReport => ({
  clientId,
  bootId: "boot-1",
  sentAt: Date.now(),
  node: { cpuPercent: 12.5, memoryUsedBytes: 2e9, memoryTotalBytes: 8e9 },
  container: { cgroup: "v2", cpuPercent: 3.25, memoryBytes: 5e7, memoryLimitBytes: 1.28e8 },
});

function post(path: string, body: unknown, token: string | null = TOKEN, url = base) {
  return fetch(`${url}${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
    },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** This process's `http_requests_total` for one method, route and status (0 if none yet). */
async function requestCount(method: string, route: string, status: number) {
  const text = await (await fetch(`${base}/metrics`)).text();
  const series = `http_requests_total{method="${method}",route="${route}",status="${status}"} `;
  const line = text.split("\n").find((l) => l.startsWith(series));
  return line ? Number(line.slice(series.length)) : 0;
}

describe("heartbeat server", () => {
  test.each([
    ["no token", null, "missing bearer token"],
    ["a wrong token", "nope", "wrong token"],
  ])(
    "a report with %s is a 401, checked before the body is read, and counted",
    async (_, token, error) => {
      for (const path of ["/heartbeat", "/metrics", "/goodbye"]) {
        const before = await requestCount("POST", path, 401);
        for (const body of [beat("x"), "{not json"]) {
          const response = await post(path, body, token);
          expect(response.status).toBe(401);
          expect(response.headers.get("www-authenticate")).toContain("Bearer");
          expect((await response.json()).error).toContain(error);
        }
        // A client with a wrong secret shows in the metrics, under the route it tried.
        expect(await requestCount("POST", path, 401)).toBe(before + 2);
      }
      expect(registry.clients.has("x")).toBe(false);
    },
  );

  test("a known path with another method is a 405 with Allow", async () => {
    for (const [method, path, allow] of [
      ["PUT", "/", "GET, HEAD"],
      ["GET", "/heartbeat", "POST"],
      ["DELETE", "/metrics", "GET, HEAD, POST"],
    ]) {
      const response = await fetch(`${base}${path}`, { method });
      expect(response.status).toBe(405);
      expect(response.headers.get("allow")).toBe(allow as string);
      expect((await response.json()).error).toBe(`${method} is not allowed on ${path}`);
    }
    expect((await fetch(`${base}/nope`, { method: "PUT" })).status).toBe(404);
  });

  test("the token is needed with a query string too, and the scheme's case does not matter", async () => {
    expect((await post("/heartbeat?debug=1", beat("x"), null)).status).toBe(401);
    expect((await post("/heartbeat", beat("x"), `${TOKEN}x`)).status).toBe(401);
    expect((await post("/heartbeat", beat("x"), TOKEN.slice(1))).status).toBe(401);
    const lowercase = await fetch(`${base}/heartbeat`, {
      method: "POST",
      headers: { authorization: `bearer ${TOKEN}` },
      body: JSON.stringify(beat("lowercase")),
    });
    expect(lowercase.status).toBe(200);
  });

  test("malformed JSON is a 400", async () => {
    for (const path of ["/heartbeat", "/metrics"]) {
      const response = await post(path, '{"clientId":');
      expect(response.status).toBe(400);
      expect((await response.json()).error).toStartWith("malformed JSON body");
    }
  });

  test.each([
    ["/heartbeat", { clientId: "a" }, "bootId"],
    ["/heartbeat", { ...beat("a"), seq: -1 }, "seq"],
    ["/heartbeat", { ...beat("a"), clientId: "bad id with spaces" }, "clientId"],
    ["/heartbeat", { ...beat("a"), intervalSeconds: 0 }, "intervalSeconds"],
    ["/heartbeat", { ...beat("a"), intervalSeconds: 0.001 }, "intervalSeconds"],
    ["/heartbeat", { ...beat("a"), intervalSeconds: 3601 }, "intervalSeconds"],
    ["/goodbye", { clientId: "a", sentAt: 1 }, "bootId"],
    ["/metrics", { ...usage("a"), node: { cpuPercent: 101 } }, "node"],
    [
      "/metrics",
      { ...usage("a"), container: { ...usage("a").container, cgroup: "v3" } },
      "container",
    ],
  ])("a wrong shape on %s is a 422 naming the field (%j)", async (path, body, field) => {
    const response = await post(path, body);
    expect(response.status).toBe(422);
    const error = await response.json();
    expect(error.error).toContain("invalid body");
    expect(error.error).toContain(field);
  });

  test.each([
    [-1, "Expected integer to be greater or equal to 0"],
    [1.5, "Expected integer"],
    ["7", "Expected integer"],
  ])("seq %j is a 422 with one problem, naming the field and the bound", async (seq, problem) => {
    const response = await post("/heartbeat", { ...beat("a"), seq });
    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({
      error: "invalid body: seq",
      fields: [{ field: "seq", problem }],
    });
  });

  test("a heartbeat registers the client, the next one is a plain beat", async () => {
    const first = await post("/heartbeat", beat("alpha", 1));
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({
      clientId: "alpha",
      seq: 1,
      state: "UP",
      event: "registered",
    });
    const second = await post("/heartbeat", beat("alpha", 2));
    expect((await second.json()).event).toBe("beat");
  });

  test("POST /metrics stores the report; GET /clients shows state and metrics", async () => {
    await post("/heartbeat", beat("bravo"));
    const response = await post("/metrics", usage("bravo"));
    expect(await response.json()).toEqual({ clientId: "bravo", received: true });
    const list = await (await fetch(`${base}/clients`)).json();
    const bravo = list.clients.find((c: { clientId: string }) => c.clientId === "bravo");
    expect(bravo).toMatchObject({
      state: "UP",
      node: "node-1",
      missed: 0,
      intervalSeconds: 0.2,
      metrics: { node: { cpuPercent: 12.5 }, container: { memoryBytes: 5e7 } },
    });
    expect(Date.parse(bravo.lastSeen)).toBeGreaterThan(Date.now() - 60_000);
    const { UP, LATE, LOST, LEFT } = list.counts;
    expect(UP + LATE + LOST + LEFT).toBe(list.clients.length);
  });

  test("POST /goodbye marks the client LEFT: shown in /clients and counted in /metrics", async () => {
    await post("/heartbeat", beat("golf"));
    const response = await post("/goodbye", { clientId: "golf", bootId: "boot-1", sentAt: 1 });
    expect(await response.json()).toEqual({ clientId: "golf", state: "LEFT", event: "left" });
    const list = await (await fetch(`${base}/clients`)).json();
    expect(list.clients.find((c: ClientView) => c.clientId === "golf")?.state).toBe("LEFT");
    expect(list.counts.LEFT).toBeGreaterThanOrEqual(1);
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toContain('heartbeat_client_state{client_id="golf",state="LEFT"} 1');
    expect(text).toContain('heartbeat_client_up{client_id="golf"} 0');
    expect(text).toMatch(/heartbeat_clients\{state="LEFT"\} [1-9]/);
    expect(text).toMatch(/heartbeat_client_events_total\{event="left"\} [1-9]/);
  });

  test("GET /metrics stays Prometheus, with per-client series beside the request metrics", async () => {
    await post("/heartbeat", beat("charlie"));
    await post("/metrics", usage("charlie"));
    const response = await fetch(`${base}/metrics`);
    expect(response.headers.get("content-type")).toContain("text/plain");
    const text = await response.text();
    expect(text).toContain('heartbeat_client_up{client_id="charlie"} 1');
    expect(text).toContain('heartbeat_client_state{client_id="charlie",state="UP"} 1');
    expect(text).toContain('heartbeat_client_state{client_id="charlie",state="LOST"} 0');
    expect(text).toContain('heartbeat_client_container_memory_bytes{client_id="charlie"} 50000000');
    expect(text).toContain('heartbeat_client_events_total{event="registered"}');
    expect(text).toContain('http_requests_total{method="POST",route="/metrics",status="200"}');
  });

  test("the dashboard is one self-contained HTML page", async () => {
    const response = await fetch(`${base}/`);
    expect(response.headers.get("content-type")).toStartWith("text/html");
    const html = await response.text();
    expect(html).toContain('new EventSource("events")');
    // Nothing fetched from elsewhere: no external scripts, styles or fonts.
    expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//);
    expect(html).not.toContain("@import");
  });

  test("GET /events sends a snapshot, then updates with the clients that changed", async () => {
    await post("/heartbeat", beat("delta"));
    await post("/metrics", usage("delta"));
    const response = await fetch(`${base}/events`);
    expect(response.headers.get("content-type")).toStartWith("text/event-stream");
    const events = readEvents(response);
    const snapshot = await events.next("snapshot");
    const delta = snapshot.clients.find((c) => c.clientId === "delta");
    expect(delta?.history).toHaveLength(1);
    expect(delta?.history?.[0]).toMatchObject({ nodeCpuPercent: 12.5, nodeMemoryPercent: 25 });
    await post("/heartbeat", beat("echo"));
    const update = await events.next("update", (data) =>
      data.clients.some((c) => c.clientId === "echo"),
    );
    expect(update.removed).toEqual([]);
    events.close();
  });

  test("a forgotten client's Prometheus series and dashboard row go away", async () => {
    const clock = { t: 1_000_000 };
    const server = startServer(() => clock.t);
    await post("/heartbeat", beat("foxtrot"), TOKEN, server.base);
    const events = readEvents(await fetch(`${server.base}/events`));
    await events.next("snapshot");
    clock.t += 5_000;
    server.registry.sweep();
    expect(server.registry.clients.get("foxtrot")?.state).toBe("LOST");
    let text = await (await fetch(`${server.base}/metrics`)).text();
    expect(text).toContain('heartbeat_client_up{client_id="foxtrot"} 0');
    clock.t += 60_000;
    server.registry.sweep();
    text = await (await fetch(`${server.base}/metrics`)).text();
    expect(text).not.toContain("foxtrot");
    expect(text).toContain('heartbeat_client_events_total{event="forgotten"} 1');
    const update = await events.next("update", (data) => data.removed.includes("foxtrot"));
    expect(update.clients).toEqual([]);
    events.close();
  });
});

interface Data {
  now: number;
  clients: ClientView[];
  removed: string[];
}

/** Reads an SSE response event by event. */
function readEvents(response: Response) {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  return {
    /** The next event named `name` whose data passes `accept`. */
    async next(name: string, accept: (data: Data) => boolean = () => true): Promise<Data> {
      for (;;) {
        const end = buffer.indexOf("\n\n");
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = block.match(/^event: (.*)$/m)?.[1];
          const data = block.match(/^data: (.*)$/m)?.[1];
          if (event === name && data) {
            const parsed = JSON.parse(data);
            if (accept(parsed)) return parsed;
          }
          continue;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error(`the stream ended before a "${name}" event`);
        buffer += decoder.decode(value, { stream: true });
      }
    },
    close: () => reader.cancel(),
  };
}

describe("heartbeat interval bounds", () => {
  test.each([
    ["server", heartbeatServerEnv],
    ["client", heartbeatClientEnv],
  ])("the %s refuses HEARTBEAT_INTERVAL outside 0.1..3600 s at start", (_, schema) => {
    expect(INTERVAL_BOUNDS).toEqual({ minimum: 0.1, maximum: 3600 });
    const read = (value: string) =>
      readConfig(schema, { HEARTBEAT_TOKEN: "t", HEARTBEAT_INTERVAL: value });
    for (const value of ["0.001", "0.09", "3601"]) {
      expect(() => read(value)).toThrow(ConfigError);
      expect(() => read(value)).toThrow(
        `HEARTBEAT_INTERVAL="${value}": expected a number >= 0.1, <= 3600`,
      );
    }
    for (const value of ["0.1", "3", "3600"])
      expect(read(value).HEARTBEAT_INTERVAL).toBe(Number(value));
  });

  test("the chart's `interval` has the same bounds", async () => {
    const schema = await Bun.file(
      new URL("../../charts/demo/charts/heartbeat/values.schema.json", import.meta.url),
    ).json();
    const { minimum, maximum } = schema.properties.interval;
    expect({ minimum, maximum }).toEqual(INTERVAL_BOUNDS);
  });
});

test("HEARTBEAT_STORE=redis without REDIS_URL stops the server at start, saying so", () => {
  const config = {
    HEARTBEAT_TOKEN: TOKEN,
    HEARTBEAT_INTERVAL: 3,
    HEARTBEAT_LOST_REPEAT: 10,
    HEARTBEAT_FORGET_AFTER: 600,
    HEARTBEAT_STORE: "redis" as const,
    REDIS_URL: "",
  };
  const log = recordingLogger();
  expect(() => createHeartbeatServer({ config, log, signal: stop.signal })).toThrow(
    new ConfigError("HEARTBEAT_STORE=redis needs REDIS_URL"),
  );
});
