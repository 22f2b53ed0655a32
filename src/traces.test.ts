// Traces from the compiled binary, as a real Jaeger received them over OTLP/HTTP: a users read
// that misses the cache, an echo-client POST across two processes, a heartbeat with its log line,
// `demo check` as one trace, and the sampler's ratio. No span carries a parameter value.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { compiledBinary } from "./testing/binary";
import { type Jaeger, type JaegerSpan, startJaeger } from "./testing/jaeger";
import { testMySqls } from "./testing/mysql-servers";
import { freePort, type Running, start, waitForHttp } from "./testing/processes";
import { sharedRedis } from "./testing/redis";

setDefaultTimeout(90_000);

let binary = "";
let jaeger: Jaeger;
const running: Running[] = [];

beforeAll(async () => {
  [binary, jaeger] = await Promise.all([compiledBinary(), startJaeger()]);
}, 180_000);
afterAll(async () => {
  for (const process of running) process.process.kill("SIGKILL");
  await jaeger?.stop();
});

/** Starts `demo <command>` exporting to the test's Jaeger as `service`; waits for /healthz. */
async function serve(command: string, service: string, env: Record<string, string> = {}) {
  const port = await freePort();
  const process = start([binary, command], {
    PORT: String(port),
    SHUTDOWN_DELAY_SECONDS: "0",
    OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlp,
    OTEL_SERVICE_NAME: service,
    ...env,
  });
  running.push(process);
  const base = `http://127.0.0.1:${port}`;
  await waitForHttp(`${base}/healthz`, 200, 30_000);
  return { base, process };
}

/** A traceparent with a trace id of our own: the test knows which trace to ask for. */
function traceparent(seed: string) {
  const traceId = new Bun.CryptoHasher("sha256").update(seed).digest("hex").slice(0, 32);
  return { traceId, header: `00-${traceId}-${"1".repeat(16)}-01` };
}

const byName = (spans: JaegerSpan[], name: string) => {
  const span = spans.find((s) => s.operationName === name);
  if (!span) throw new Error(`no span ${name} in ${spans.map((s) => s.operationName)}`);
  return span;
};

describe("traces (compiled binary, real Jaeger)", () => {
  test.each(testMySqls().slice(0, 1))(
    "a users read that misses the cache: server span, Redis and %s spans as its children",
    async (_, sharedMySql) => {
      const [mysql, redis] = await Promise.all([
        sharedMySql().then((server) => server.createDatabase()),
        sharedRedis(),
      ]);
      const { base } = await serve("users-server", "users-traced", {
        MYSQL_URL: mysql,
        REDIS_URL: redis.url,
      });
      expect((await fetch(`${base}/init`, { method: "POST" })).status).toBe(200);
      const email = `trace-secret-${crypto.randomUUID().slice(0, 8)}@example.com`;
      const created = await fetch(`${base}/users`, {
        method: "POST",
        body: JSON.stringify({ name: "Traced", email }),
      });
      expect(created.status).toBe(201);
      const { id } = (await created.json()) as { id: string };

      const { traceId, header } = traceparent(`users-read-${id}`);
      const read = await fetch(`${base}/users/${id}`, { headers: { traceparent: header } });
      expect(read.status).toBe(200);
      expect(read.headers.get("x-cache")).toBe("MISS");

      const spans = await jaeger.trace(traceId, (found) =>
        ["GET /users/:id", "SELECT users"].every((name) =>
          found.some((span) => span.operationName === name),
        ),
      );
      const server = byName(spans, "GET /users/:id");
      expect(server.parent).toBe("1".repeat(16)); // our traceparent's span
      expect(server.tags).toMatchObject({
        "span.kind": "server",
        "http.request.method": "GET",
        "http.route": "/users/:id",
        "http.response.status_code": 200,
      });
      const children = spans.filter((span) => span.parent === server.spanID);
      const redisSpans = children.filter((span) => span.tags["db.system.name"] === "redis");
      expect(redisSpans.length).toBeGreaterThan(0);
      expect(redisSpans.map((span) => span.tags["span.kind"])).toContain("client");
      const select = byName(children, "SELECT users");
      expect(select.tags).toMatchObject({
        "span.kind": "client",
        "db.system.name": "mysql",
        "db.operation.name": "SELECT",
        "db.collection.name": "users",
      });
      // mysql2 inlines the values into the statement: the span has them replaced by `?`.
      expect(select.tags["db.query.text"]).toContain("?");
      expect(select.tags["db.query.text"]).not.toContain(id);

      // Not one span of the service, the INSERT's included, holds the e-mail address.
      const all = await jaeger.traces("users-traced");
      const insert = all.flat().find((span) => span.operationName === "INSERT users");
      expect(insert?.tags["db.query.text"]).toStartWith("insert into `users`");
      expect(JSON.stringify(all)).not.toContain(email);
      expect(JSON.stringify(all)).not.toContain(email.split("@")[0]);

      // `demo check users`: one trace from the check's own span through the users server.
      const check = Bun.spawnSync([binary, "check", "users", base], {
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlp, OTEL_SERVICE_NAME: "check-traced" },
      });
      expect(check.stdout.toString()).toContain("PASS users");
      const [checkTrace] = await jaeger.traces("check-traced");
      const root = byName(checkTrace ?? [], "check users");
      // Complete once every request of the check has the server's span under it (the server
      // exports in batches, after the check's own spans).
      const whole = await jaeger.trace(root.traceID, (found) => {
        const sent = found.filter(
          (s) => s.service === "check-traced" && s.tags["span.kind"] === "client",
        );
        return sent.length > 0 && sent.every((c) => found.some((s) => s.parent === c.spanID));
      });
      const services = new Set(whole.map((span) => span.service));
      expect([...services].sort()).toEqual(["check-traced", "users-traced"]);
      for (const span of whole.filter(
        (s) => s.service === "users-traced" && !s.tags["db.system.name"],
      ))
        expect(whole.find((s) => s.spanID === span.parent)?.service).toBe("check-traced");
    },
  );

  test("a 5xx marks the server span as an error", async () => {
    // A MySQL that is not there: the API answers 503 `database unavailable`.
    const nowhere = `mysql://demo:secret@127.0.0.1:${await freePort()}/demo`;
    const { base } = await serve("users-server", "users-down", {
      MYSQL_URL: nowhere,
      MIGRATE_ON_START: "false",
    });
    const { traceId, header } = traceparent("users-down");
    const read = await fetch(`${base}/users/someone`, { headers: { traceparent: header } });
    expect(read.status).toBe(503);
    const spans = await jaeger.trace(traceId);
    const server = byName(spans, "GET /users/:id");
    expect(server.tags).toMatchObject({
      "http.response.status_code": 503,
      "otel.status_code": "ERROR",
      "error.type": "503",
    });
  });

  test("one echo-client exchange is one trace across both processes; its log line names it", async () => {
    const { base } = await serve("echo-server", "echo-server-traced");
    const client = await serve("echo-client", "echo-client-traced", {
      SERVER_URL: base,
      ECHO_INTERVAL: "60",
    });
    const line = JSON.parse(await client.process.waitForLine(/Server Response:/));
    await client.process.stop(); // flushes its spans on the way out
    expect(line.trace_id).toMatch(/^[0-9a-f]{32}$/);
    const spans = await jaeger.trace(line.trace_id, (found) => found.length === 3);
    const exchange = byName(spans, "echo exchange");
    const post = byName(spans, "POST");
    const served = byName(spans, "POST /");
    expect(exchange).toMatchObject({ service: "echo-client-traced", parent: undefined });
    expect(exchange.spanID).toBe(line.span_id);
    expect(post).toMatchObject({ service: "echo-client-traced", parent: exchange.spanID });
    expect(post.tags).toMatchObject({ "span.kind": "client", "http.response.status_code": 200 });
    expect(served).toMatchObject({ service: "echo-server-traced", parent: post.spanID });
    expect(served.tags).toMatchObject({ "span.kind": "server", "http.route": "/" });
  });

  test("a heartbeat is one trace, and the server's log line names it", async () => {
    const token = "trace-token";
    const server = await serve("heartbeat-server", "heartbeat-server-traced", {
      HEARTBEAT_TOKEN: token,
    });
    const client = await serve("heartbeat-client", "heartbeat-client-traced", {
      SERVER_URL: server.base,
      HEARTBEAT_TOKEN: token,
      CLIENT_ID: "traced",
    });
    const line = JSON.parse(await server.process.waitForLine(/client registered/));
    expect(line.trace_id).toMatch(/^[0-9a-f]{32}$/);
    const spans = await jaeger.trace(line.trace_id, (found) => found.length === 2);
    const served = spans.find((span) => span.service === "heartbeat-server-traced");
    expect(served?.spanID).toBe(line.span_id);
    const sent = spans.find((span) => span.spanID === served?.parent);
    expect(sent).toMatchObject({ service: "heartbeat-client-traced" });
    expect(sent?.tags["span.kind"]).toBe("client");
    await client.process.stop();
  });

  test("the sampler's ratio: 0 records none, 1 all, 0.5 about half", async () => {
    const requests = 200;
    const counts: Record<string, number> = {};
    for (const ratio of ["0", "0.5", "1"]) {
      const service = `echo-ratio-${ratio}`;
      const { base, process } = await serve("echo-server", service, {
        OTEL_TRACES_SAMPLER: "traceidratio",
        OTEL_TRACES_SAMPLER_ARG: ratio,
      });
      // Fixed trace ids: the ratio sampler decides by the id, so the count is the same every run.
      for (let i = 0; i < requests; i++) {
        const response = await fetch(`${base}/`, {
          headers: { traceparent: traceparent(`ratio-${i}`).header },
        });
        expect(response.status).toBe(200);
      }
      expect(await process.stop()).toBe(0); // SIGTERM: what is buffered is exported first
      counts[ratio] = (await jaeger.traces(service)).length;
    }
    expect(counts["0"]).toBe(0);
    expect(counts["1"]).toBe(requests);
    // Binomial(200, 0.5): mean 100, standard deviation about 7; 70-130 is over 4 of them.
    expect(counts["0.5"]).toBeGreaterThanOrEqual(70);
    expect(counts["0.5"]).toBeLessThanOrEqual(130);
  });
});
