// Shared by the users benchmarks: the compiled binary (built if missing) and its servers.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { freePort } from "../../src/testing/processes";
import { waitUntilUp } from "./wrk";

const root = resolve(import.meta.dir, "../..");
export const binary = resolve(root, "dist/demo-linux-x64");

/** Runs scripts/build.sh x64 unless dist/demo-linux-x64 exists. */
export function ensureBinary() {
  if (existsSync(binary)) return;
  const build = Bun.spawnSync(["bash", "scripts/build.sh", "x64"], {
    cwd: root,
    stderr: "inherit",
  });
  if (build.exitCode !== 0) throw new Error("scripts/build.sh x64 failed");
}

/** Servers of the binary on free ports; `stop` kills them all. */
export function binaryServers() {
  const servers: Array<ReturnType<typeof Bun.spawn>> = [];
  const pids = new Map<string, number>();
  return {
    /** The process id of the server at `base` (for its CPU time). */
    pid: (base: string) => pids.get(base) as number,
    /** Starts `demo <command>` with `env`; resolves with its base URL once /readyz is 200. */
    async serve(command: string, env: Record<string, string>, executable = binary) {
      const port = await freePort();
      servers.push(
        Bun.spawn([executable, command], {
          env: { ...env, PORT: String(port), LOG_LEVEL: "warn" },
          stdout: "inherit",
          stderr: "inherit",
        }),
      );
      const base = `http://127.0.0.1:${port}`;
      pids.set(base, servers.at(-1)?.pid as number);
      await waitUntilUp(`${base}/readyz`, 30_000);
      return base;
    },
    async stop() {
      for (const server of servers) server.kill("SIGKILL");
      await Promise.all(servers.map((server) => server.exited));
    },
  };
}
