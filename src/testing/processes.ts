// Test helpers for real processes: free ports, spawned commands whose output lines can be
// awaited, and HTTP endpoints polled until they answer.
import { createServer } from "node:net";
import type { Subprocess } from "bun";
import { waitFor } from "./wait";

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface Running {
  process: Subprocess<"ignore", "pipe", "pipe">;
  /** Every stdout and stderr line so far. */
  lines: string[];
  /** Resolves with the first line (past or future) matching `pattern`. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  stop(signal?: NodeJS.Signals): Promise<number>;
}

/** Starts `command` with `env` added to a minimal environment and collects its output. */
export function start(command: string[], env: Record<string, string> = {}): Running {
  const process = Bun.spawn(command, {
    env: { PATH: Bun.env.PATH ?? "/usr/bin:/bin", LOG_FORMAT: "json", ...env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const lines: string[] = [];
  const waiters = new Set<{ pattern: RegExp; resolve: (line: string) => void }>();
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    let rest = "";
    for await (const bytes of stream as unknown as AsyncIterable<Uint8Array>) {
      const parts = (rest + decoder.decode(bytes, { stream: true })).split("\n");
      rest = parts.pop() ?? "";
      for (const line of parts) {
        lines.push(line);
        for (const waiter of waiters) if (waiter.pattern.test(line)) waiter.resolve(line);
      }
    }
  };
  collect(process.stdout);
  collect(process.stderr);
  return {
    process,
    lines,
    waitForLine(pattern, timeoutMs = 15_000) {
      const seen = lines.find((line) => pattern.test(line));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const waiter = { pattern, resolve: (line: string) => done(() => resolve(line)) };
        const timer = setTimeout(
          () =>
            done(() =>
              reject(
                new Error(
                  `no line matching ${pattern} within ${timeoutMs} ms:\n${lines.join("\n")}`,
                ),
              ),
            ),
          timeoutMs,
        );
        function done(settle: () => void) {
          clearTimeout(timer);
          waiters.delete(waiter);
          settle();
        }
        waiters.add(waiter);
      });
    },
    async stop(signal = "SIGTERM") {
      process.kill(signal);
      return await process.exited;
    },
  };
}

/** Polls `url` until it answers with `status` (default 200); returns that response. */
export function waitForHttp(url: string, status = 200, timeoutMs = 15_000) {
  return waitFor(
    `${url} to answer ${status}`,
    async () => {
      const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      if (response.status !== status) throw new Error(`status ${response.status}`);
      return response;
    },
    timeoutMs,
  );
}
