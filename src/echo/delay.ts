// GET /delay/{seconds} and GET /chunked/{seconds} (podinfo's names): answers that take time, to
// test the timeouts of ingresses, meshes and clients. Bounded, and ended early when the client
// leaves (nothing is held for it) or the process stops (so none keeps a pod past its grace).
import { Elysia, t } from "elysia";
import { sleep } from "../lib/lifecycle";
import { holdOpen } from "./in-progress";
import { interruptions, type Outcome } from "./interruptions";
import { numberParam } from "./number-param";

export const MAX_WAIT_SECONDS = 60;

const seconds = numberParam(
  "seconds",
  t.Number({
    minimum: 0,
    maximum: MAX_WAIT_SECONDS,
    description: `how long, in seconds: a number from 0 to ${MAX_WAIT_SECONDS}, like 5 or 0.5`,
    error: `must be a number of seconds from 0 to ${MAX_WAIT_SECONDS}, like 5 or 0.5`,
  }),
);

/** The JSON of an answer cut short by the process stopping. */
const stoppedEarly = (seconds: number, started: number) => ({
  error: `the server is stopping: ended after ${elapsedSince(started)} of ${seconds} s`,
  delay: seconds,
});

const elapsedSince = (started: number) => Math.round((performance.now() - started) / 100) / 10;

/** The status a cut-short request is counted under: 499 as nginx logs a client that left. */
const CLIENT_CLOSED = 499;

type Server = { timeout(request: Request, seconds: number): void } | null;

/**
 * The connection may be silent for the whole wait: Bun's idle timeout (Elysia's default
 * 30 s) would otherwise close it under a /delay/60. The wait's own bound ends it instead.
 */
const noIdleTimeout = (server: Server, request: Request) => server?.timeout(request, 0);

export function delayRoutes(stop?: AbortSignal) {
  return new Elysia()
    .get(
      "/delay/:seconds",
      async ({ params, request, server, set }) => {
        const wait = seconds.value(params);
        noIdleTimeout(server, request);
        const started = performance.now();
        const release = holdOpen("/delay/:seconds");
        const ended = interruptions(request.signal, stop);
        let outcome: Outcome;
        try {
          await sleep(wait * 1000, ended.signal);
          outcome = ended.outcome();
        } finally {
          ended.release();
          release();
        }
        if (outcome === "done") return { delay: wait };
        if (outcome === "stopping") {
          set.status = 503;
          return stoppedEarly(wait, started);
        }
        set.status = CLIENT_CLOSED; // written to no one: for the request metrics
        return { error: "the client closed the connection" };
      },
      { params: seconds.params },
    )
    .get(
      "/chunked/:seconds",
      ({ params, request, server }) => {
        const wait = seconds.value(params);
        noIdleTimeout(server, request);
        return new Response(chunks(wait, request.signal, stop), {
          headers: {
            "content-type": "application/x-ndjson",
            // Browsers and some proxies hold back the first bytes of a body they may sniff.
            "x-content-type-options": "nosniff",
          },
        });
      },
      { params: seconds.params },
    );
}

/**
 * One JSON line at once and one each second after (`{"elapsed":n}`), then `{"delay":seconds}`
 * at `seconds` (podinfo's body); when the process stops, a last line saying so.
 */
function chunks(seconds: number, client: AbortSignal, stop?: AbortSignal) {
  const encoder = new TextEncoder();
  const line = (value: object) => encoder.encode(`${JSON.stringify(value)}\n`);
  const started = performance.now();
  const release = holdOpen("/chunked/:seconds");
  const ended = interruptions(client, stop);
  const finish = () => {
    ended.release();
    release();
  };
  let next = 0; // the second of the next line
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const last = next >= seconds;
      const due = (last ? seconds : next) * 1000;
      await sleep(Math.max(0, started + due - performance.now()), ended.signal);
      const outcome = ended.outcome();
      if (outcome === "disconnected") {
        finish();
        // error(), not close(): a no-op on a stream already cancelled, where close() throws.
        return controller.error(new Error("the client closed the connection"));
      }
      if (outcome === "stopping") controller.enqueue(line(stoppedEarly(seconds, started)));
      else controller.enqueue(line(last ? { delay: seconds } : { elapsed: next }));
      next += 1;
      if (last || outcome === "stopping") {
        controller.close();
        finish();
      }
    },
    cancel() {
      ended.cancel();
      finish();
    },
  });
}
