// A real Jaeger (v2, built from the Go module proxy by `scripts/tools.sh jaeger`) for the trace
// tests: OTLP/HTTP in, spans kept in memory, and its query API to read back what it received.
// Every port is a free one, on 127.0.0.1.
import { existsSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { freePort, type Running, start } from "./processes";
import { tempDir } from "./server-process";
import { waitFor } from "./wait";

/** JAEGER_BINARY (scripts/test.sh sets it for the non-root test user), else the tools' own. */
export const JAEGER_BINARY =
  process.env.JAEGER_BINARY ??
  join(process.env.DEMO_TOOLS_DIR ?? join(homedir(), ".cache/demo-tools"), "bin/jaeger");

/** One span as Jaeger's query API (/api/traces) gives it, with the attributes as a record. */
export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  /** The parent span's id, or undefined for a root. */
  parent: string | undefined;
  service: string;
  tags: Record<string, unknown>;
}

export interface Jaeger {
  /** OTEL_EXPORTER_OTLP_ENDPOINT for the processes under test. */
  otlp: string;
  /** Every trace with a span of `service` (up to 1,000), each as its spans. */
  traces(service: string): Promise<JaegerSpan[][]>;
  /** One trace's spans, once `complete` says they are all there (by default: one at least). */
  trace(traceId: string, complete?: (spans: JaegerSpan[]) => boolean): Promise<JaegerSpan[]>;
  stop(): Promise<void>;
}

interface RawTrace {
  traceID: string;
  spans: Array<{
    traceID: string;
    spanID: string;
    operationName: string;
    processID: string;
    references?: Array<{ refType: string; spanID: string }>;
    tags: Array<{ key: string; value: unknown }>;
  }>;
  processes: Record<string, { serviceName: string }>;
}

const flatten = (trace: RawTrace): JaegerSpan[] =>
  trace.spans.map((span) => ({
    traceID: span.traceID,
    spanID: span.spanID,
    operationName: span.operationName,
    parent: span.references?.find((ref) => ref.refType === "CHILD_OF")?.spanID,
    service: trace.processes[span.processID]?.serviceName ?? "",
    tags: Object.fromEntries(span.tags.map((tag) => [tag.key, tag.value])),
  }));

export async function startJaeger(): Promise<Jaeger> {
  if (!existsSync(JAEGER_BINARY))
    throw new Error(`no ${JAEGER_BINARY}: run "bash scripts/tools.sh jaeger" first`);
  const [otlp, query, grpc, health] = await Promise.all([1, 2, 3, 4].map(() => freePort()));
  const config = join(tempDir("jaeger"), "config.yaml");
  // Jaeger's own all-in-one configuration cut to what the tests use: no batching (a span is
  // queryable once its export was answered), no listener on a fixed port.
  writeFileSync(
    config,
    `service:
  extensions: [jaeger_storage, jaeger_query, healthcheckv2]
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [jaeger_storage_exporter]
  telemetry:
    metrics:
      level: none
    logs:
      level: warn
extensions:
  jaeger_query:
    storage:
      traces: memory
    http:
      endpoint: 127.0.0.1:${query}
    grpc:
      endpoint: 127.0.0.1:${grpc}
  jaeger_storage:
    backends:
      memory:
        memory:
          max_traces: 100000
  healthcheckv2:
    use_v2: true
    http:
      endpoint: 127.0.0.1:${health}
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${otlp}
exporters:
  jaeger_storage_exporter:
    trace_storage: memory
`,
  );
  const running: Running = start([JAEGER_BINARY, "--config", config]);
  const api = `http://127.0.0.1:${query}/api`;
  const get = async (path: string) => {
    const response = await fetch(`${api}${path}`, { signal: AbortSignal.timeout(5_000) });
    if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
    return ((await response.json()) as { data: RawTrace[] | null }).data ?? [];
  };
  await waitFor(
    "jaeger to answer its query API",
    async () => {
      if (running.process.exitCode !== null)
        throw new Error(`jaeger exited:\n${running.lines.join("\n")}`);
      return Array.isArray(await get("/services"));
    },
    60_000,
  );
  return {
    otlp: `http://127.0.0.1:${otlp}`,
    traces: async (service) =>
      (await get(`/traces?service=${encodeURIComponent(service)}&limit=1000&lookback=1h`)).map(
        flatten,
      ),
    trace: (traceId, complete = (spans) => spans.length > 0) =>
      waitFor(
        `trace ${traceId} complete in jaeger`,
        async () => {
          const [trace] = await get(`/traces/${traceId}`).catch(() => []);
          const spans = trace ? flatten(trace) : [];
          return complete(spans) ? spans : false;
        },
        30_000,
        200,
      ),
    async stop() {
      await running.stop("SIGKILL");
    },
  };
}
