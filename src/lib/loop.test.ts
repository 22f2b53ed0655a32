import { describe, expect, test } from "bun:test";
import { backoffDelay, every } from "./loop";

describe("backoffDelay", () => {
  test("grows exponentially from the interval, with jitter between half and all of it", () => {
    expect(backoffDelay(1, 1_000, 30_000, () => 0)).toBe(500);
    expect(backoffDelay(1, 1_000, 30_000, () => 1)).toBe(1_000);
    expect(backoffDelay(3, 1_000, 30_000, () => 0)).toBe(2_000);
    expect(backoffDelay(3, 1_000, 30_000, () => 1)).toBe(4_000);
  });

  test("never exceeds the cap", () => {
    expect(backoffDelay(20, 1_000, 30_000, () => 1)).toBe(30_000);
  });
});

describe("every", () => {
  test("runs the task until stopped, reporting consecutive failures and recovering", async () => {
    const stop = new AbortController();
    const outcomes = [new Error("down"), new Error("still down"), null, new Error("down again")];
    const failures: number[] = [];
    let runs = 0;
    await every(
      async () => {
        const outcome = outcomes[runs++];
        if (runs === outcomes.length) stop.abort();
        if (outcome) throw outcome;
      },
      {
        intervalMs: 1,
        maxBackoffMs: 4,
        signal: stop.signal,
        onError: (_error, count, delay) => {
          failures.push(count);
          expect(delay).toBeLessThanOrEqual(4);
        },
      },
    );
    expect(runs).toBe(4);
    expect(failures).toEqual([1, 2, 1]);
  });
});
