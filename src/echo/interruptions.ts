// What ends a wait early: the client leaving (its request's signal) or the process stopping.
import { stopping } from "../lib/lifecycle";

export type Outcome = "done" | "disconnected" | "stopping";

/** One signal aborted by whichever comes first: `client`, `stop` or `cancel()`. */
export function interruptions(client: AbortSignal, stop: AbortSignal = stopping) {
  const either = new AbortController();
  const abort = () => either.abort();
  // Listeners on the process-wide stop signal are removed by release(): a million finished
  // requests must not leave a million listeners on it.
  client.addEventListener("abort", abort);
  stop.addEventListener("abort", abort);
  if (client.aborted || stop.aborted) abort();
  return {
    signal: either.signal,
    /** Ends the wait as if the client had left (a cancelled stream). */
    cancel: abort,
    /** Why the wait ended, once it has. */
    outcome(): Outcome {
      if (stop.aborted) return "stopping";
      return either.signal.aborted ? "disconnected" : "done";
    },
    release() {
      client.removeEventListener("abort", abort);
      stop.removeEventListener("abort", abort);
    },
  };
}
