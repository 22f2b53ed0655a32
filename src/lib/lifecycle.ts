// Process lifecycle: one SIGTERM/SIGINT handler for everything this process runs
// (one server, or the whole local stack), so every part drains before exit 0.
import { createLogger } from "./log";

const log = createLogger("lifecycle");
const stoppers: Array<() => Promise<void>> = [];
const controller = new AbortController();

/** Aborted when the process is asked to stop; loops and servers watch it. */
export const stopping: AbortSignal = controller.signal;

/** Registers work to finish before the process exits (drain a server, close a pool). */
export function onStop(stop: () => Promise<void>) {
  stoppers.push(stop);
}

let installed = false;
export function exitOnSignals(graceMs = 25_000) {
  if (installed) return;
  installed = true;
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.on(signal, () => {
      if (controller.signal.aborted) return;
      log.info("stopping", { signal });
      controller.abort();
      // A stuck stopper must not keep the pod past its grace period.
      setTimeout(() => {
        log.warn("stop timed out, exiting", { graceMs });
        process.exit(0);
      }, graceMs).unref();
      Promise.allSettled(stoppers.map((stop) => stop())).then(() => {
        log.info("stopped");
        process.exit(0);
      });
    });
  }
}

/** Resolves after `ms`, or early when the process is stopping. */
export function sleep(ms: number, signal: AbortSignal = stopping): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
