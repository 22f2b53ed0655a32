// The HTTP server kit every command uses: /healthz, /readyz, /metrics, request metrics,
// JSON errors for bad input (400/404/413/422, never a 500 for a client's mistake),
// and a graceful stop on SIGTERM: readiness 503 first, in-flight requests finish, exit 0.
// While it drains, every answer says `Connection: close`, so keep-alive clients leave this
// process one request at a time instead of losing requests when the listener closes.
import { type AnyElysia, Elysia, ElysiaCustomStatusResponse, ValidationError } from "elysia";
import { ConfigError } from "./config";
import { HttpError, rootCause } from "./errors";
import { onStop, sleep, stopping } from "./lifecycle";
import type { Logger } from "./log";
import { loadMetrics, recordRequest } from "./metrics";
import { setRoute, traceRequest, tracingOn } from "./tracing";

export const MAX_BODY_BYTES = 64 * 1024;
// One decoder for every body; fatal: bytes that are not UTF-8 are a 400, not U+FFFD.
const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true });
// Bun's own limit (a bare 413, before any route or metric) is never reached: jsonBody reads a
// body only up to MAX_BODY_BYTES and answers a JSON 413 beyond it, whatever the size; routes
// without a body never read one.
const BUN_BODY_LIMIT = Number.MAX_SAFE_INTEGER;

/** A readiness check: resolves to null when usable, or to the reason it is not. */
export type ReadinessCheck = () => Promise<string | null> | string | null;

export interface ServerOptions {
  log: Logger;
  /** Dependencies that must be usable before the server takes traffic. */
  readiness?: Record<string, ReadinessCheck>;
  /** Details for GET /healthz (still 200: e.g. a store that is down but worked around). */
  health?: () => Record<string, unknown>;
  /**
   * Refuse (422 naming the field) a body field its schema does not list, when the schema says
   * `additionalProperties: false`, instead of Elysia's default of dropping it silently: the
   * OpenAPI document then says what the server does.
   */
  refuseUnknownFields?: boolean;
}

export function createServer({
  log,
  readiness = {},
  health,
  refuseUnknownFields = false,
}: ServerOptions) {
  const state = { draining: false };
  stopping.addEventListener("abort", () => {
    state.draining = true;
  });

  // development: false whatever NODE_ENV says: no Bun error pages with stack traces.
  // reusePort: false, unlike Elysia's default: a second server on a busy port fails at
  // start instead of silently taking half of the other one's connections.
  const base = new Elysia({
    serve: { maxRequestBodySize: BUN_BODY_LIMIT, development: false, reusePort: false },
    // A WebSocket message is bounded like a body (Bun's own default is 16 MB): over it, Bun
    // closes the socket with 1009.
    websocket: { maxPayloadLength: MAX_BODY_BYTES },
    normalize: !refuseUnknownFields,
  });
  // A SERVER span around each request, only when traces are on: otherwise no wrapper at all.
  if (tracingOn()) base.wrap((handle) => traceRequest(handle as (request: Request) => unknown));
  const app = base
    // Hooks destructure what they use: Elysia parses only what hooks ask for (a hook taking
    // the whole context makes it parse cookies, query and more on every request). Metrics
    // are recorded in onAfterHandle and onError, not onAfterResponse, which costs a
    // macrotask per request; no global onRequest or onParse hook, either: each makes every
    // route's compiled handler slower (an onParse hook makes it async).
    .onTransform({ as: "global" }, ({ set }) => {
      (set as Timed)[STARTED_AT] = performance.now();
    })
    .onAfterHandle({ as: "global" }, ({ request, route, set, responseValue }) => {
      observe(request.method, route, statusOf(set.status, responseValue), set);
      if (state.draining) set.headers.connection = "close";
    })
    .onError({ as: "global" }, ({ code, error, set, request, path, route }) => {
      // Not Elysia's `path` for a 404: it cuts the URL at a fixed offset, so behind a Host of
      // 3 characters or fewer (`Host: api`) /users/1 became /1, a 404 instead of a 405.
      const body =
        code === "NOT_FOUND"
          ? notFoundBody(request.method, pathOf(request), set, app.routes)
          : errorBody({ code, error, set, request, path }, log);
      observe(request.method, route, set.status as number, set);
      if (state.draining) set.headers.connection = "close";
      return body;
    })
    .get("/healthz", () => ({ status: "ok", ...health?.() }))
    .get("/readyz", async ({ set }) => {
      if (state.draining) {
        set.status = 503;
        return { status: "stopping" };
      }
      const results = await Promise.all(
        Object.entries(readiness).map(async ([name, check]) => [name, (await check()) ?? "ok"]),
      );
      const ready = results.every(([, result]) => result === "ok");
      set.status = ready ? 200 : 503;
      return { status: ready ? "ready" : "not ready", checks: Object.fromEntries(results) };
    })
    .get("/metrics", async ({ set }) => {
      const registry = await loadMetrics();
      set.headers["content-type"] = registry.contentType;
      return registry.metrics();
    });
  return app;
}

type RouteList = ReadonlyArray<{ method: string; path: string }>;
const routePatterns = new WeakMap<RouteList, { count: number; routes: [string, RegExp][] }>();

/** The methods some route of the app answers at `path` (GET brings HEAD), sorted. */
function allowedMethods(routes: RouteList, path: string) {
  let compiled = routePatterns.get(routes);
  if (compiled?.count !== routes.length) {
    compiled = {
      count: routes.length,
      routes: routes.map(({ method, path: pattern }) => [method.toUpperCase(), toRegExp(pattern)]),
    };
    routePatterns.set(routes, compiled);
  }
  const methods = new Set<string>();
  for (const [method, pattern] of compiled.routes)
    if (pattern.test(path)) {
      methods.add(method);
      if (method === "GET") methods.add("HEAD");
    }
  return [...methods].sort();
}

/** A route path ("/users/:id", "/files/*") as a RegExp matching request paths. */
function toRegExp(pattern: string) {
  const parts = pattern.split("/").map((part) => {
    if (part === "*") return ".*";
    if (part.startsWith(":")) return part.endsWith("?") ? "[^/]*" : "[^/]+";
    return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  });
  return new RegExp(`^${parts.join("/")}/?$`);
}

/** The request's path, as sent (not decoded). */
const pathOf = (request: Request) => new URL(request.url).pathname;

/** 404 for a path no route serves; 405 with `Allow` for a known path and another method. */
function notFoundBody(
  method: string,
  path: string,
  set: { status?: number | string; headers: Record<string, unknown> },
  routes: RouteList,
) {
  const allowed = allowedMethods(routes, path);
  if (allowed.length === 0) {
    set.status = 404;
    return { error: `no route for ${method} ${path}` };
  }
  set.status = 405;
  set.headers.allow = allowed.join(", ");
  return { error: `${method} is not allowed on ${path}`, allow: allowed };
}

interface ErrorContext {
  code: string | number;
  error: unknown;
  set: { status?: number | string; headers: Record<string, unknown> };
  request: Request;
  path: string;
}

/**
 * The body parser of every JSON route (`parse: jsonBody`): JSON whatever the content-type
 * says, so `curl -d '{"name":"x"}'` works too, and at most MAX_BODY_BYTES, chunked or not.
 */
export async function jsonBody({ request }: { request: Request }): Promise<unknown> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > MAX_BODY_BYTES)
    throw new HttpError(413, tooLarge(`${declared} bytes`));
  // With a length declared (and within the limit) the body cannot be longer: read it at once.
  const bytes = declared !== null ? await request.bytes() : await readUpTo(request, MAX_BODY_BYTES);
  if (bytes === undefined) throw new HttpError(413, tooLarge("a chunked body"));
  let text: string;
  try {
    // Fatal: bytes that are not UTF-8 are refused, not stored as U+FFFD.
    text = STRICT_UTF8.decode(bytes);
  } catch {
    throw new HttpError(400, "malformed JSON body: it is not valid UTF-8");
  }
  if (text === "") throw new HttpError(400, "malformed JSON body: the body is empty");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, `malformed JSON body: ${messageOf(error)}`);
  }
}

/** The body, or undefined once it passes `limit` bytes (the rest is not read). */
async function readUpTo(request: Request, limit: number): Promise<Uint8Array | undefined> {
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    size += read.value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(read.value);
  }
  return Buffer.concat(chunks, size);
}

// When a request reached its route, kept on its `set` (Elysia makes one per request):
// a derive would allocate and merge an object per request, 3% of GET / throughput.
const STARTED_AT = Symbol("startedAt");
type Timed = { [STARTED_AT]?: number };

/** Counts a finished request in http_requests_total and http_request_duration_seconds. */
function observe(method: string, route: string | undefined, status: number, set: object) {
  // An error before the route's transform (a malformed body) has no start: its duration is 0.
  const startedAt = (set as Timed)[STARTED_AT];
  const seconds = startedAt === undefined ? 0 : (performance.now() - startedAt) / 1000;
  recordRequest(method, route || "unmatched", status, seconds);
  setRoute(method, route);
}

function statusOf(status: unknown, value: unknown) {
  if (value instanceof ElysiaCustomStatusResponse) return value.code as number;
  if (value instanceof Response) return value.status;
  return typeof status === "number" ? status : 200;
}

/** Maps any error to its status (set on the context) and a JSON body that names the problem. */
function errorBody({ code, error, set, request, path }: ErrorContext, log: Logger) {
  const root = rootCause(error);
  if (root instanceof HttpError) {
    set.status = root.status;
    // The rest of an oversized body is never read: closing the connection tells the client to
    // stop sending it, rather than leave a keep-alive connection stuck until it times out.
    if (root.status === 413) set.headers.connection = "close";
    return { error: root.message, ...root.details };
  }
  switch (code) {
    case "PARSE":
      set.status = 400;
      return { error: "malformed body: it could not be parsed" }; // routes parse with jsonBody
    case "VALIDATION":
      set.status = 422;
      return validationBody(error as Error);
    default: {
      const declared = (error as { status?: unknown } | null)?.status;
      const status = typeof declared === "number" ? declared : 500;
      set.status = status;
      if (status >= 500) log.error("request failed", { method: request.method, path, error });
      return { error: status >= 500 ? "internal error" : messageOf(error) };
    }
  }
}

function tooLarge(size: string) {
  return `request body too large: ${size}, the limit is ${MAX_BODY_BYTES} bytes`;
}

function messageOf(error: unknown) {
  return error instanceof Error ? error.message : String(error);
}

function problemOf(issue: ValidationError["all"][number]) {
  if ("value" in issue && issue.value === undefined) return "required";
  const custom = (issue as { schema?: { error?: unknown } }).schema?.error;
  if (typeof custom === "string") return custom;
  return issue.summary ?? issue.message;
}

/** 422 body naming each wrong field: `{ error, fields: [{ field, problem }] }`. */
function validationBody(error: ValidationError | Error) {
  if (!(error instanceof ValidationError)) return { error: error.message };
  const fields = error.all.map((issue) => ({
    field:
      "path" in issue && issue.path ? issue.path.replace(/^\//, "").replaceAll("/", ".") : "(body)",
    // A missing property: say so, not "Expected ... but found: undefined"; a schema's own
    // `error` text over TypeBox's (a union's reads "should be one of: 'string', ...").
    problem: problemOf(issue),
  }));
  // TypeBox reports a missing property once per keyword it fails, and a wrong one once per
  // keyword (minLength, pattern, format) with the schema's one `error` text: say each once.
  const unique = [...new Map(fields.map((f) => [`${f.field}\n${f.problem}`, f])).values()];
  const where = [...new Set(unique.map((f) => f.field))].join(", ");
  return { error: `invalid ${error.type}: ${where}`, fields: unique };
}

export interface ListenOptions {
  port: number;
  hostname?: string;
  log: Logger;
  /** After SIGTERM, how long /readyz answers 503 before the listener closes. */
  shutdownDelaySeconds: number;
  /** Work that must wait for the drain (e.g. a store sharing what the last requests changed). */
  afterDrain?: () => Promise<void>;
}

/** Starts listening and registers the graceful stop; resolves with the bound port. */
export function listen(app: AnyElysia, options: ListenOptions) {
  try {
    app.listen({ port: options.port, hostname: options.hostname ?? "0.0.0.0" });
  } catch (error) {
    if ((error as { code?: unknown }).code !== "EADDRINUSE") throw error;
    throw new ConfigError(`PORT=${options.port} is in use: another process listens on it`);
  }
  const port = app.server?.port ?? options.port;
  options.log.info("listening", { port, startupMs: Math.round(performance.now()) });
  setTimeout(loadMetrics, 100); // after the first requests, so start-up does not wait for it
  onStop(async () => {
    // Endpoints controllers need a moment to see the 503 and take the pod out of rotation.
    await sleep(options.shutdownDelaySeconds * 1000, new AbortController().signal);
    // Bun 1.4.5's stop(false): stop listening, close idle keep-alive connections at once and
    // the others as soon as their response is written, resolve when none is left. Few are:
    // each was told `Connection: close` on its first answer during the delay.
    await app.stop(false);
    options.log.info("drained", { port });
    await options.afterDrain?.();
  });
  return port;
}
