// The compiled binary, as the image runs it: built once here, then started as real processes,
// and once inside a chroot holding nothing but libc6's files (glibc), as uid 65532.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { compiledBinary } from "./testing/binary";
import {
  assembleChroot,
  chrootCommand,
  downloadLibc6,
  libc6Package,
  rootPrefix,
} from "./testing/chroot";
import { keepAliveLoad } from "./testing/keep-alive-load";
import { freePort, type Running, start, waitForHttp } from "./testing/processes";
import { waitFor } from "./testing/wait";

setDefaultTimeout(30_000);

const root = resolve(import.meta.dir, "..");
let binary = "";
const running: Running[] = [];
const track = (command: string[], env: Record<string, string> = {}) => {
  const process = start(command, env);
  running.push(process);
  return process;
};
const run = (args: string[], env: Record<string, string> = {}) => track([binary, ...args], env);
const exec = (args: string[], env: Record<string, string> = {}) =>
  Bun.spawnSync([binary, ...args], { env: { PATH: "/usr/bin:/bin", ...env } });

beforeAll(async () => {
  binary = await compiledBinary();
}, 120_000);
afterAll(() => {
  for (const process of running) process.process.kill("SIGKILL");
});

describe("demo binary", () => {
  test("version and help", () => {
    expect(exec(["version"]).stdout.toString()).toMatch(/^demo \d+\.\d+\.\d+ \(bun /);
    const help = exec(["--help"]).stdout.toString();
    for (const command of ["echo-server", "echo-client", "check", "all", "version"])
      expect(help).toContain(command);
    expect(exec(["echo-client", "--help"]).stdout.toString()).toContain("ECHO_INTERVAL");
  });

  test("a bad variable stops the command with its name and what it accepts", () => {
    const result = exec(["echo-server"], { PORT: "eighty" });
    expect(result.exitCode).toBe(2);
    expect(result.stderr.toString()).toContain('PORT="eighty": expected an integer >= 0, <= 65535');
  });

  test("heartbeat with the token in a file, as the chart mounts its Secret: server, client and check agree", async () => {
    const dir = mkdtempSync(join(tmpdir(), "demo-secrets-"));
    const tokenFile = join(dir, "HEARTBEAT_TOKEN");
    writeFileSync(tokenFile, "token-from-a-file\n"); // a trailing newline, as `kubectl create secret --from-file` keeps
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    run(["heartbeat-server"], { PORT: String(port), HEARTBEAT_TOKEN_FILE: tokenFile });
    await waitForHttp(`${base}/healthz`);
    const clientPort = await freePort();
    run(["heartbeat-client"], {
      PORT: String(clientPort),
      SERVER_URL: base,
      HEARTBEAT_TOKEN_FILE: tokenFile,
      POD_NAME: "file-client",
    });
    const check = Bun.spawn([binary, "check", "heartbeat", base], {
      env: { PATH: "/usr/bin:/bin", HEARTBEAT_TOKEN_FILE: tokenFile },
      stdout: "pipe",
      stderr: "pipe",
    });
    const [code, out, err] = await Promise.all([
      check.exited,
      new Response(check.stdout).text(),
      new Response(check.stderr).text(),
    ]);
    expect({ code, out, err }).toMatchObject({ code: 0 });
    expect(out).toContain("is UP and its metrics arrived");
    rmSync(dir, { recursive: true, force: true });
  });

  test("an unknown command exits 2 with the list of commands", () => {
    const result = exec(["nope"]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr.toString()).toContain("echo-server");
  });

  test("echo: the two curl lines answer exactly, and demo check echo passes", async () => {
    const port = await freePort();
    run(["echo-server"], { PORT: String(port) });
    const base = `http://127.0.0.1:${port}`;
    await waitForHttp(`${base}/healthz`);
    expect(await (await fetch(`${base}/`)).text()).toBe('{"message":"This is a GET response"}');
    const post = await fetch(`${base}/`, { method: "POST", body: '{"name": "Test User"}' });
    expect(await post.text()).toBe('{"response":"Hello, Test User!"}');
    const check = exec(["check", "echo", base]);
    expect(check.stdout.toString()).toContain("PASS echo");
    expect(check.exitCode).toBe(0);
  });

  test("demo check echo fails loudly against a server that answers wrongly", async () => {
    using impostor = Bun.serve({
      port: 0,
      fetch: () => Response.json({ message: "something else" }),
    });
    // Spawned, not spawnSync: the impostor answers from this process's event loop.
    const check = run(["check", "echo", `http://127.0.0.1:${impostor.port}`]);
    expect(await check.process.exited).toBe(1);
    await check.waitForLine(/FAIL echo .*expected \{"message":"This is a GET response"\}/);
  });

  test("a server on a busy port stops at once, naming the port", () => {
    using busy = Bun.serve({ port: 0, fetch: () => new Response("taken") });
    const server = exec(["echo-server"], { PORT: String(busy.port) });
    expect(server.stderr.toString().trim()).toBe(
      `demo echo-server: PORT=${busy.port} is in use: another process listens on it`,
    );
    expect(server.exitCode).toBe(2);
  });

  test("SIGTERM: readiness turns 503 first, requests still succeed, then exit 0", async () => {
    const port = await freePort();
    const server = run(["echo-server"], { PORT: String(port), SHUTDOWN_DELAY_SECONDS: "1" });
    const base = `http://127.0.0.1:${port}`;
    await waitForHttp(`${base}/readyz`);
    server.process.kill("SIGTERM");
    await waitForHttp(`${base}/readyz`, 503, 2_000);
    expect((await fetch(`${base}/`)).status).toBe(200);
    expect(await server.process.exited).toBe(0);
    await server.waitForLine(/"msg":"drained"/);
  });

  test("SIGTERM under keep-alive load: no request lost, every answer while draining says Connection: close", async () => {
    const port = await freePort();
    // 5 s: time enough for the poll below to see readiness 503 on a busy machine.
    const server = run(["echo-server"], { PORT: String(port), SHUTDOWN_DELAY_SECONDS: "5" });
    const base = `http://127.0.0.1:${port}`;
    await waitForHttp(`${base}/readyz`);
    const outOfRotation = new AbortController();
    const load = keepAliveLoad(`${base}/`, {
      connections: 10,
      maxSeconds: 60,
      outOfRotation: outOfRotation.signal,
    });
    await waitFor("1000 answered requests", () => load.counts.ok >= 1_000);
    server.process.kill("SIGTERM");
    // What a Service's endpoints learn from readiness: from then on, no new connections.
    await waitForHttp(`${base}/readyz`, 503, 5_000);
    outOfRotation.abort();
    expect(await server.process.exited).toBe(0);
    const result = await load.done;
    expect(result.errors).toEqual([]);
    expect(result.failed).toBe(0);
    expect(result.ok + result.notSent).toBe(result.sent);
    // Every worker was still on its connection when the drain began: each was told to close it.
    expect(result.closeAnswers).toBeGreaterThanOrEqual(10);
  });

  test("echo client: logs each answer, and 'Failed to connect to server' while it is down", async () => {
    const port = await freePort();
    const client = run(["echo-client"], {
      PORT: String(await freePort()),
      SERVER_URL: `http://127.0.0.1:${port}`,
      ECHO_INTERVAL: "0.2",
      ECHO_NAME: "binary test",
    });
    await client.waitForLine(/Failed to connect to server: /);
    run(["echo-server"], { PORT: String(port) });
    const answer = await client.waitForLine(/Server Response:/);
    expect(JSON.parse(answer)).toMatchObject({
      status: 200,
      body: { response: "Hello, binary test!" },
    });
    expect(client.process.exitCode).toBeNull();
  });
});

// The test's name says which libc6 it runs on (the host's: see src/testing/chroot.ts).
const libc6 = libc6Package();
describe(`demo binary in a chroot of nothing but ${libc6.file ?? "libc6"} (${libc6.from ?? "apt-get download"}), as uid 65532`, () => {
  const chroot = join(root, ".cache/chroot");
  const debs = join(root, ".cache/debs");
  let asRoot: string[] = [];

  beforeAll(() => {
    asRoot = rootPrefix();
    if (!libc6.file) throw new Error(libc6.error);
    assembleChroot(chroot, downloadLibc6(debs, libc6.file), binary);
  });

  const inChroot = (args: string[], env: Record<string, string>) =>
    track(chrootCommand(chroot, args, env, asRoot));

  test("there is no shell and no coreutils in it", () => {
    for (const path of ["bin/sh", "usr/bin/sh", "bin/ls", "usr/bin/env"])
      expect(existsSync(join(chroot, path))).toBe(false);
  });

  test("echo server and demo check echo run there", async () => {
    const port = await freePort();
    const server = inChroot(["echo-server"], { PORT: String(port) });
    await server.waitForLine(/listening/);
    await waitForHttp(`http://127.0.0.1:${port}/healthz`);
    const check = inChroot(["check", "echo", `http://127.0.0.1:${port}`], {});
    expect(await check.process.exited).toBe(0);
    await check.waitForLine(/PASS echo/);
  });

  test("SIGKILL of its command (what bun does to its children at exit) ends the server in it", async () => {
    const port = await freePort();
    const health = `http://127.0.0.1:${port}/healthz`;
    const server = inChroot(["echo-server"], { PORT: String(port) });
    await waitForHttp(health);
    server.process.kill("SIGKILL");
    await waitFor(
      "the server in the chroot to be gone (its port refusing connections)",
      async () => {
        try {
          await fetch(health, { signal: AbortSignal.timeout(1_000) });
          return false;
        } catch (error) {
          return (error as { code?: string }).code === "ECONNREFUSED";
        }
      },
    );
  });
});
