import { afterAll, describe, expect, test } from "bun:test";
import { recordingLogger } from "../testing/logger";
import { serveOnFreePort } from "../testing/serve";
import { createEchoServer } from "./server";

const { base, stop } = serveOnFreePort(createEchoServer(recordingLogger()));
afterAll(stop);

const post = (
  body: BodyInit,
  headers: Record<string, string> = { "content-type": "application/json" },
) => fetch(`${base}/`, { method: "POST", body, headers });

describe("echo server", () => {
  test("GET / answers the fixed message", async () => {
    const response = await fetch(`${base}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toStartWith("application/json");
    expect(await response.text()).toBe('{"message":"This is a GET response"}');
  });

  test("POST / greets the name", async () => {
    const response = await post(JSON.stringify({ name: "Test User" }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ response: "Hello, Test User!" });
  });

  test("POST / reads JSON whatever the content-type says", async () => {
    const response = await post('{"name":"curl"}', {
      "content-type": "application/x-www-form-urlencoded",
    });
    expect(await response.json()).toEqual({ response: "Hello, curl!" });
  });

  test("malformed JSON is a 400 that says so", async () => {
    const response = await post('{"name":');
    expect(response.status).toBe(400);
    expect((await response.json()).error).toStartWith("malformed JSON body");
  });

  test("an empty body is a 400", async () => {
    const response = await fetch(`${base}/`, { method: "POST" });
    expect(response.status).toBe(400);
    expect((await response.json()).error).toContain("empty");
  });

  test.each([
    ["missing name", {}],
    ["non-string name", { name: 42 }],
    ["not an object", ["Test User"]],
    ["empty name", { name: "" }],
  ])("%s is a 422 naming the field", async (_, body) => {
    const response = await post(JSON.stringify(body));
    expect(response.status).toBe(422);
    const error = await response.json();
    expect(error.error).toContain("invalid body");
    expect(error.fields.length).toBeGreaterThan(0);
  });

  test("a body over 64 KiB is a 413 with a JSON error", async () => {
    const response = await post(JSON.stringify({ name: "x".repeat(70_000) }));
    expect(response.status).toBe(413);
    expect((await response.json()).error).toContain("65536");
  });

  test("a chunked body over 64 KiB is a 413 too", async () => {
    const chunks = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 10; i++)
          controller.enqueue(new TextEncoder().encode("x".repeat(8_000)));
        controller.close();
      },
    });
    const response = await post(chunks as unknown as BodyInit);
    expect(response.status).toBe(413);
    expect((await response.json()).error).toContain("too large");
  });

  test("an unknown route is a JSON 404", async () => {
    const response = await fetch(`${base}/nope`);
    expect(response.status).toBe(404);
    expect((await response.json()).error).toContain("/nope");
  });

  test("a known path with another method is a 405 with Allow", async () => {
    const response = await fetch(`${base}/`, { method: "PUT" });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("GET, HEAD, POST");
    expect(await response.json()).toEqual({
      error: "PUT is not allowed on /",
      allow: ["GET", "HEAD", "POST"],
    });
    const healthz = await fetch(`${base}/healthz`, { method: "DELETE" });
    expect(healthz.status).toBe(405);
    expect(healthz.headers.get("allow")).toBe("GET, HEAD");
  });

  test("/healthz, /readyz and /metrics answer", async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${base}/readyz`)).json()).toEqual({
      status: "ready",
      checks: { manual: "ok" },
    });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('http_requests_total{method="POST",route="/",status="422"}');
    expect(metrics).toContain("process_cpu_seconds_total"); // prom-client's defaults, loaded late
    expect(metrics).toContain(
      'http_request_duration_seconds_bucket{method="GET",route="/",status="200",le="0.001"}',
    );
    expect(metrics).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/",status="200"\} [1-9]/,
    );
    // Durations are measured, not zero: the start time is taken when the route is reached.
    const sum = metrics.match(
      /http_request_duration_seconds_sum\{method="GET",route="\/",status="200"\} (\S+)/,
    );
    expect(Number(sum?.[1])).toBeGreaterThan(0);
  });
});
