// Measures what the chart's memory requests rest on: the resident memory of the compiled
// binary running `heartbeat-server` with two `heartbeat-client`s at the chart's defaults
// (3 s heartbeats, 20 s reports), sampled once a second for SECONDS (120).
//   scripts/build.sh x64 && bun scripts/bench/heartbeat-rss.ts
// Prints the peak and last RSS of each process in MiB (requests are set to cover the peak).
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { rssMegabytes, waitUntilUp } from "./wrk";

const binary = resolve(process.env.BINARY ?? "dist/demo-linux-x64");
if (!existsSync(binary)) throw new Error(`${binary} is missing: scripts/build.sh x64`);
const seconds = Number(process.env.SECONDS ?? 120);
const port = Number(process.env.PORT ?? 18_290);
const env = { HEARTBEAT_TOKEN: "rss-token", LOG_LEVEL: "warn", SHUTDOWN_DELAY_SECONDS: "0" };

const spawn = (args: string[], extra: Record<string, string>) =>
  Bun.spawn([binary, ...args], { env: { ...env, ...extra }, stdout: "inherit", stderr: "inherit" });
const server = spawn(["heartbeat-server"], { PORT: String(port) });
await waitUntilUp(`http://127.0.0.1:${port}/healthz`);
const clients = [1, 2].map((n) =>
  spawn(["heartbeat-client"], {
    PORT: String(port + n),
    CLIENT_ID: `rss-client-${n}`,
    SERVER_URL: `http://127.0.0.1:${port}`,
  }),
);

const processes = { server, client: clients[0], "client 2": clients[1] } as const;
const peak: Record<string, number> = {};
const last: Record<string, number> = {};
for (let t = 0; t < seconds; t++) {
  await Bun.sleep(1000);
  for (const [name, child] of Object.entries(processes)) {
    if (!child) continue;
    last[name] = rssMegabytes(child.pid);
    peak[name] = Math.max(peak[name] ?? 0, last[name] as number);
  }
}
// Clients first: their goodbyes need the server.
for (const child of clients) child.kill("SIGTERM");
await Promise.all(clients.map((child) => child.exited));
server.kill("SIGTERM");
await server.exited;

console.log(`RSS of ${binary} after ${seconds} s (MiB)`);
console.log("| process | peak | last |\n|---|---|---|");
for (const name of Object.keys(processes))
  console.log(`| ${name} | ${peak[name]?.toFixed(1)} | ${last[name]?.toFixed(1)} |`);
