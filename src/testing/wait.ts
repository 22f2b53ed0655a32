// The one polling helper of the tests: wait for a state, never for wall-clock time alone.

/** Polls `check` until it returns true (or a value), failing after `timeoutMs` with `what`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | false> | T | false,
  timeoutMs = 20_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const result = await check();
      if (result !== false) return result;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last}` : ""}`,
      );
    await Bun.sleep(intervalMs);
  }
}
