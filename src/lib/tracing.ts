// OpenTelemetry traces: what every command calls. Configured by the standard OTEL_* variables
// (config.ts's tracingEnv); with no OTEL_EXPORTER_OTLP_ENDPOINT the SDK is never loaded, no hook
// is registered and every helper here is a plain call through (one boolean test).
//
// Spans: a SERVER span per request (http-server.ts wraps the app with traceRequest), a CLIENT
// span per outgoing request with a W3C traceparent (tracedFetch), a CLIENT span per Redis
// command and MySQL query (tracing-channels.ts, from the drivers' own diagnostics channels) and
// per SQLite query (traceSync), all children of the request being served.
import {
  type Attributes,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";
import type { tracingEnv } from "./config";
import { onStop } from "./lifecycle";
import { setLogFields } from "./log";

export type TracingConfig = { [K in keyof typeof tracingEnv]: (typeof tracingEnv)[K]["static"] };

const state = { on: false, flush: async () => {} };
const tracer = () => trace.getTracer("demo");

/** Whether spans are being recorded and exported (an endpoint is configured). */
export const tracingOn = () => state.on;

/** Loads the SDK when an endpoint is configured; `command` names the service by default. */
export async function startTracing(config: TracingConfig, command: string) {
  if (!config.OTEL_EXPORTER_OTLP_ENDPOINT) return;
  const { startSdk } = await import("./tracing-sdk");
  state.flush = startSdk(config, config.OTEL_SERVICE_NAME || `demo-${command}`);
  state.on = true;
  setLogFields(traceFields);
  onStop(() => state.flush());
}

/** Exports what is still buffered: before a short-lived command (check) exits. */
export const flushTracing = () => state.flush();

/** trace_id and span_id of the sampled span in progress, for log lines. */
function traceFields() {
  const span = trace.getActiveSpan()?.spanContext();
  if (!span || !(span.traceFlags & 1)) return undefined;
  return { trace_id: span.traceId, span_id: span.spanId };
}

function fail(span: Span, error: unknown) {
  span.recordException(error as Error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
  span.setAttribute("error.type", (error as Error)?.name ?? "Error");
}

const UNTRACED = new Set(["/healthz", "/readyz", "/metrics"]);

const headerGetter = {
  keys: (carrier: Headers) => [...carrier.keys()],
  get: (carrier: Headers, key: string) => carrier.get(key) ?? undefined,
};

/**
 * Elysia's `wrap` hook: each request runs inside a SERVER span, the child of the caller's
 * `traceparent` if it sent one. The route and its name come later, from setRoute.
 */
export function traceRequest(handle: (request: Request) => unknown) {
  return (request: Request) => {
    const url = new URL(request.url);
    // Probes and scrapes every few seconds would bury the requests people look for.
    if (UNTRACED.has(url.pathname)) return handle(request);
    const parent = propagation.extract(ROOT_CONTEXT, request.headers, headerGetter);
    const span = tracer().startSpan(
      request.method,
      {
        kind: SpanKind.SERVER,
        attributes: {
          "http.request.method": request.method,
          "url.path": url.pathname,
          "url.scheme": url.protocol.slice(0, -1),
          "server.address": url.hostname,
          "server.port": Number(url.port) || (url.protocol === "https:" ? 443 : 80),
          "user_agent.original": request.headers.get("user-agent") ?? undefined,
        },
      },
      parent,
    );
    // Not sampled: nothing under it would be recorded either (the database spans follow the
    // same trace id, and nothing here calls out), so no context to carry: the cheap path.
    if (!span.isRecording()) return handle(request);
    return context.with(trace.setSpan(parent, span), async () => {
      try {
        const response = (await handle(request)) as Response;
        span.setAttribute("http.response.status_code", response.status);
        // A server's 4xx is the client's mistake, not a failure of this span (HTTP semconv).
        if (response.status >= 500) {
          span.setStatus({ code: SpanStatusCode.ERROR });
          span.setAttribute("error.type", String(response.status));
        }
        return response;
      } catch (error) {
        fail(span, error);
        throw error;
      } finally {
        span.end();
      }
    });
  };
}

/** Names the request's SERVER span by its route template once Elysia has matched one. */
export function setRoute(method: string, route: string | undefined) {
  if (!state.on || !route) return;
  const span = trace.getActiveSpan();
  span?.setAttribute("http.route", route);
  span?.updateName(`${method} ${route}`);
}

/** fetch, in a CLIENT span whose context goes along as `traceparent`. */
export function tracedFetch(url: URL | string, init: RequestInit = {}): Promise<Response> {
  if (!state.on) return fetch(url, init);
  const target = new URL(url);
  target.username = target.password = "";
  const method = init.method ?? "GET";
  const attributes = {
    "http.request.method": method,
    "url.full": target.href,
    "server.address": target.hostname,
    "server.port": Number(target.port) || (target.protocol === "https:" ? 443 : 80),
  };
  return inSpan(method, attributes, SpanKind.CLIENT, async (span) => {
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    propagation.inject(context.active(), headers);
    const response = await fetch(url, { ...init, headers });
    span.setAttribute("http.response.status_code", response.status);
    // A client's 4xx is an error too: the exchange did not do what the caller wanted.
    if (response.status >= 400) {
      span.setStatus({ code: SpanStatusCode.ERROR });
      span.setAttribute("error.type", String(response.status));
    }
    return response;
  });
}

/** Runs `work` in a span (an INTERNAL one by default), ended when it settles. */
export function inSpan<T>(
  name: string,
  attributes: Attributes,
  kind: SpanKind,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  if (!state.on) return work(trace.wrapSpanContext(INVALID));
  return tracer().startActiveSpan(name, { kind, attributes }, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      fail(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/** A synchronous database call (bun:sqlite) in a CLIENT span, when inside a traced request. */
export function traceSync<T>(name: string, attributes: Attributes, work: () => T): T {
  if (!state.on || !trace.getActiveSpan()) return work();
  const span = tracer().startSpan(name, { kind: SpanKind.CLIENT, attributes });
  try {
    return work();
  } catch (error) {
    fail(span, error);
    throw error;
  } finally {
    span.end();
  }
}

const INVALID = { traceId: "0".repeat(32), spanId: "0".repeat(16), traceFlags: 0 };
