// A keep-alive load generator for the echo server: `connections` workers, each sending GET /
// and POST / in turn over its own persistent connection (undici), counting every request.
// The binary test drives it against one process stopped with SIGTERM; the e2e's upgrade step
// (scripts/e2e/40-upgrade-under-load.e2e.ts) against the Service during a rolling upgrade.
//
// undici is imported by file: Bun answers the bare specifier "undici" with a partial stand-in
// of its own (no Pool.request), whereas undici/index.js is the real npm package.
import { Client, errors } from "undici/index.js";

export interface LoadOptions {
  connections: number;
  /** Bound: the generator stops by itself after this long. */
  maxSeconds: number;
  /** Stops the generator early (requests in flight still finish and are counted). */
  signal?: AbortSignal;
  /**
   * Aborted when the server is out of rotation (readiness 503), as a Service's endpoints would
   * say: from then on a worker sends only on the connection it already has, and stops once the
   * server closes it (behind a Service its next request would go to another pod).
   */
  outOfRotation?: AbortSignal;
  /** Each request's own deadline: a request that hangs counts as failed. */
  requestTimeoutMs?: number;
}

export interface LoadResult {
  /** Every request started. */
  sent: number;
  /** Answered 200 with the expected body. */
  ok: number;
  /** Never sent: the connection was refused, so the server cannot have seen the request. */
  notSent: number;
  /** Sent and then lost (reset, closed, timed out) or answered wrongly. */
  failed: number;
  /** Responses that carried `Connection: close`. */
  closeAnswers: number;
  /** The first failures, "HH:MM:SS.mmm METHOD what" (at most 20). */
  errors: string[];
  /** When the last failure happened (Date.now()), 0 if none: after which moment none failed. */
  lastFailedAt: number;
}

const GET_BODY = '{"message":"This is a GET response"}';
const POST_BODY = '{"response":"Hello, Load Test!"}';

/**
 * Starts the load; it runs until `maxSeconds` pass or `signal` aborts. `counts` grow as it
 * runs; `done` resolves with them once every worker has stopped.
 */
export function keepAliveLoad(url: string, options: LoadOptions) {
  const { connections, maxSeconds, signal, outOfRotation, requestTimeoutMs = 5_000 } = options;
  const result: LoadResult = {
    sent: 0,
    ok: 0,
    notSent: 0,
    failed: 0,
    closeAnswers: 0,
    errors: [],
    lastFailedAt: 0,
  };
  const deadline = Date.now() + maxSeconds * 1000;
  const fail = (method: string, what: string) => {
    result.failed++;
    result.lastFailedAt = Date.now();
    if (result.errors.length < 20)
      result.errors.push(`${new Date().toISOString().slice(11, 23)} ${method} ${what}`);
  };
  // One Client per worker: one keep-alive connection each, reopened when the server closes it.
  const worker = async () => {
    const client = new Client(new URL(url).origin, {
      headersTimeout: requestTimeoutMs,
      bodyTimeout: requestTimeoutMs,
    });
    let connected = false;
    client.on("connect", () => {
      connected = true;
    });
    client.on("disconnect", () => {
      connected = false;
    });
    for (let n = 0; Date.now() < deadline && !signal?.aborted; n++) {
      if (outOfRotation?.aborted && !connected) break;
      const method = n % 2 === 0 ? "GET" : "POST";
      result.sent++;
      try {
        const response = await client.request({
          path: "/",
          method,
          ...(method === "POST" && {
            headers: { "content-type": "application/json" },
            body: '{"name":"Load Test"}',
          }),
        });
        const body = await response.body.text();
        if (response.headers.connection === "close") {
          result.closeAnswers++;
          connected = false; // undici closes it after this response
        }
        const expected = method === "GET" ? GET_BODY : POST_BODY;
        if (response.statusCode === 200 && body === expected) result.ok++;
        else fail(method, `answered ${response.statusCode}: ${body.slice(0, 100)}`);
      } catch (error) {
        if (neverSent(error)) {
          result.notSent++;
          await Bun.sleep(10); // nothing listens: do not spin
        } else fail(method, describe(error));
      }
    }
    await client.close();
  };
  const done = Promise.all(Array.from({ length: connections }, worker)).then(() => result);
  return { counts: result as Readonly<LoadResult>, done };
}

/** Refused at connect: the request never left the client. */
function neverSent(error: unknown) {
  return (error as { code?: string }).code === "ECONNREFUSED";
}

function describe(error: unknown) {
  if (error instanceof errors.UndiciError) return `${error.code}: ${error.message}`;
  const { code, message } = error as { code?: string; message?: string };
  return `${code ?? "error"}: ${message ?? String(error)}`;
}
