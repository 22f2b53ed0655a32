// Shared by the benchmarks: run wrk (Debian's) against a URL and read its numbers.
export interface WrkResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

export async function wrk(
  url: string,
  { seconds = 10, connections = 50, threads = 1, script = "" } = {},
) {
  const args = ["wrk", `-t${threads}`, `-c${connections}`, `-d${seconds}s`, "--latency"];
  if (script) args.push("-s", script);
  const run = Bun.spawn([...args, url], { stdout: "pipe", stderr: "inherit" });
  const output = await new Response(run.stdout).text();
  if ((await run.exited) !== 0) throw new Error(`wrk failed on ${url}:\n${output}`);
  const number = (pattern: RegExp) => Number(output.match(pattern)?.[1] ?? Number.NaN);
  const latencyMs = (percentile: string) => {
    const match = output.match(new RegExp(`\\s${percentile}%\\s+([\\d.]+)(us|ms|s)`));
    if (!match) return Number.NaN;
    const scale = { us: 0.001, ms: 1, s: 1000 }[match[2] as "us" | "ms" | "s"];
    return Number(match[1]) * scale;
  };
  return {
    requestsPerSecond: number(/Requests\/sec:\s+([\d.]+)/),
    p50Ms: latencyMs("50"),
    p99Ms: latencyMs("99"),
    errors: number(/Non-2xx or 3xx responses: (\d+)/) || 0,
  } satisfies WrkResult;
}

/** Polls a URL until it answers 200; returns the milliseconds it took. */
export async function waitUntilUp(url: string, timeoutMs = 10_000) {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    try {
      if ((await fetch(url)).ok) return performance.now() - started;
    } catch {
      // not listening yet
    }
    await Bun.sleep(1);
  }
  throw new Error(`${url} not up within ${timeoutMs} ms`);
}

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid: number) {
  const fields = require("node:fs")
    .readFileSync(`/proc/${pid}/stat`, "utf8")
    .split(") ")[1]
    .split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks
}

export function rssMegabytes(pid: number) {
  const status = require("node:fs").readFileSync(`/proc/${pid}/status`, "utf8") as string;
  return Number(status.match(/VmRSS:\s+(\d+) kB/)?.[1]) / 1024;
}
