// The periodic loop clients share: run a task every interval; after failures, back off
// exponentially with jitter (so many clients do not retry in step), up to a cap.
import { sleep, stopping } from "./lifecycle";

export interface LoopOptions {
  intervalMs: number;
  /** Longest wait between attempts while failing. */
  maxBackoffMs?: number;
  signal?: AbortSignal;
  /** Called after each failure with the consecutive failure count and the next delay. */
  onError: (error: unknown, failures: number, nextDelayMs: number) => void;
}

/** Delay before the next attempt after `failures` consecutive failures ("equal jitter"). */
export function backoffDelay(
  failures: number,
  intervalMs: number,
  maxBackoffMs: number,
  random = Math.random,
) {
  const ceiling = Math.min(maxBackoffMs, intervalMs * 2 ** (failures - 1));
  return Math.max(intervalMs / 2, ceiling / 2 + (random() * ceiling) / 2);
}

/** Runs `task` at once and then every interval until the signal aborts. */
export async function every(task: () => Promise<void>, options: LoopOptions) {
  const { intervalMs, maxBackoffMs = Math.max(30_000, intervalMs), signal = stopping } = options;
  let failures = 0;
  while (!signal.aborted) {
    const started = performance.now();
    let delay: number;
    try {
      await task();
      failures = 0;
      delay = intervalMs - (performance.now() - started);
    } catch (error) {
      failures += 1;
      delay = backoffDelay(failures, intervalMs, maxBackoffMs);
      options.onError(error, failures, delay);
    }
    await sleep(Math.max(0, delay), signal);
  }
}
