// The heartbeat system as the compiled binary's processes: one server and three clients on
// short intervals.
// A killed client is logged LOST (and again while it stays so), and its restart is logged
// as a reconnection; a paused one comes back as the same boot; a server restart is survived.
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { compiledBinary } from "../testing/binary";
import { freePort, type Running, start, waitForHttp } from "../testing/processes";

setDefaultTimeout(30_000);

const binary = await compiledBinary();
const TOKEN = "process-test-token";
const serverPort = await freePort();
const serverUrl = `http://127.0.0.1:${serverPort}`;
const running: Running[] = [];
afterAll(() => {
  for (const process of running) process.process.kill("SIGKILL");
});

function run(command: string[], env: Record<string, string>, prefix: string[] = []) {
  const process = start([...prefix, binary, ...command], {
    HEARTBEAT_TOKEN: TOKEN,
    HEARTBEAT_INTERVAL: "0.2",
    SHUTDOWN_DELAY_SECONDS: "0",
    ...env,
  });
  running.push(process);
  return process;
}

const startServer = () =>
  run(["heartbeat-server"], { PORT: String(serverPort), HEARTBEAT_LOST_REPEAT: "1" });

async function startClient(id: string) {
  return run(["heartbeat-client"], {
    CLIENT_ID: id,
    NODE_NAME: "test-node",
    SERVER_URL: serverUrl,
    METRICS_INTERVAL: "1",
    ACK_SUMMARY_INTERVAL: "1",
    LOG_LEVEL: "debug", // each acknowledgement, which info leaves to the summary
    PORT: String(await freePort()),
  });
}

/** Polls `condition` until it holds (the helpers' waitForLine also matches past lines). */
async function until(condition: () => boolean, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not true within ${timeoutMs} ms: ${condition}`);
    await Bun.sleep(50);
  }
}

/** Matches a server log line with message `msg` about `clientId`. */
const about = (msg: string, clientId: string) =>
  new RegExp(`"msg":"${msg}".*"clientId":"${clientId}"`);

let server = startServer();
await waitForHttp(`${serverUrl}/healthz`);
const clients = new Map<string, Running>();
for (const id of ["client-1", "client-2", "client-3"]) clients.set(id, await startClient(id));

describe("heartbeat server and clients as processes", () => {
  test("every client registers, and its heartbeats and reports are acknowledged", async () => {
    for (const [id, client] of clients) {
      await server.waitForLine(about("client registered", id));
      const ack = JSON.parse(await client.waitForLine(/"msg":"heartbeat acknowledged"/));
      expect(ack).toMatchObject({ status: 200, body: { clientId: id, state: "UP" } });
      await client.waitForLine(/"msg":"metrics acknowledged".*"received":true/);
      const summary = JSON.parse(await client.waitForLine(/"msg":"reports acknowledged"/));
      expect(summary).toMatchObject({ level: "info", periodSeconds: 1 });
      expect(summary.heartbeats).toBeGreaterThan(0);
    }
    const ack = clients.get("client-1")?.lines.find((l) => l.includes("heartbeat acknowledged"));
    expect(JSON.parse(ack ?? "{}").level).toBe("debug");
  });

  test("a client stopped with SIGTERM says goodbye: LEFT, never LOST; back with its id, it reconnects", async () => {
    const leaving = await startClient("client-4");
    await server.waitForLine(about("client registered", "client-4"));
    expect(await leaving.stop("SIGTERM")).toBe(0);
    expect(JSON.parse(await leaving.waitForLine(/"msg":"goodbye sent"/)).body).toMatchObject({
      state: "LEFT",
    });
    await server.waitForLine(about("client left", "client-4"));
    // Silent for twice as long as LOST takes (0.65 s), by the server's own clock: still LEFT.
    let view = { state: "", lastSeenAgeSeconds: 0 };
    while (view.lastSeenAgeSeconds < 1.3) {
      const list = await (await fetch(`${serverUrl}/clients`)).json();
      view = list.clients.find((c: { clientId: string }) => c.clientId === "client-4");
      expect(view.state).toBe("LEFT");
      await Bun.sleep(100);
    }
    expect(server.lines.some((line) => about("client lost", "client-4").test(line))).toBe(false);

    const back = await startClient("client-4");
    clients.set("client-4", back);
    const reconnected = JSON.parse(
      await server.waitForLine(about("client reconnected", "client-4")),
    );
    expect(reconnected).toMatchObject({ was: "LEFT", restarted: true });
    expect(reconnected.downtimeSeconds).toBeGreaterThan(1);
  });

  test("demo check heartbeat passes against them", async () => {
    const check = run(["check", "heartbeat"], { CHECK_URL: serverUrl, HEARTBEAT_CHECK_WAIT: "10" });
    expect(await check.process.exited).toBe(0);
    expect(check.lines.join("\n")).toContain(`PASS heartbeat at ${serverUrl}`);
  });

  test("a killed client is logged LOST, again while lost, and reconnects when restarted", async () => {
    const killed = clients.get("client-2") as Running;
    killed.process.kill("SIGKILL");
    const lost = JSON.parse(await server.waitForLine(about("client lost", "client-2")));
    expect(lost).toMatchObject({ level: "warn", missed: 3, node: "test-node" });
    expect(lost.silentSeconds).toBeGreaterThanOrEqual(0.65);
    expect(lost.lastMetrics.containerMemoryBytes).toBeGreaterThan(0);
    await server.waitForLine(about("client still lost", "client-2"));

    clients.set("client-2", await startClient("client-2"));
    const back = JSON.parse(await server.waitForLine(about("client reconnected", "client-2")));
    expect(back.restarted).toBe(true);
    expect(back.downtimeSeconds).toBeGreaterThan(1);
    const list = await (await fetch(`${serverUrl}/clients`)).json();
    expect(list.clients.find((c: { clientId: string }) => c.clientId === "client-2")).toMatchObject(
      { state: "UP", lostCount: 1, restarts: 1 },
    );
  });

  test("a paused client comes back as the same boot: a reconnection, not a restart", async () => {
    const paused = clients.get("client-3") as Running;
    paused.process.kill("SIGSTOP");
    await server.waitForLine(about("client lost", "client-3"));
    paused.process.kill("SIGCONT");
    const back = JSON.parse(await server.waitForLine(about("client reconnected", "client-3")));
    expect(back.restarted).toBe(false);
  });

  test("the client that kept beating was never lost", () => {
    expect(server.lines.filter((line) => about("client lost", "client-1").test(line))).toEqual([]);
  });

  test("clients outlive a server restart: they log the failures, then carry on", async () => {
    expect(await server.stop("SIGTERM")).toBe(0);
    const client = clients.get("client-1") as Running;
    await client.waitForLine(/"msg":"Failed to connect to server: .*"failures":2/);
    expect(client.process.exitCode).toBeNull();
    const seen = client.lines.length;
    server = startServer();
    await server.waitForLine(about("client registered", "client-1"));
    await until(() => client.lines.slice(seen).some((line) => line.includes("acknowledged")));
  });
});

describe("heartbeat client", () => {
  test("starts no process at all: the image has no shell (checked with strace)", async () => {
    const strace = Bun.which("strace");
    if (!strace) throw new Error("strace is missing: apt-get install -y strace");
    const log = `${process.env.TMPDIR ?? "/tmp"}/heartbeat-strace-${process.pid}.log`;
    const env = {
      CLIENT_ID: "traced",
      SERVER_URL: serverUrl,
      METRICS_INTERVAL: "0.3",
      LOG_LEVEL: "debug",
    };
    const traced = run(["heartbeat-client"], { ...env, PORT: String(await freePort()) }, [
      strace,
      ...["-f", "-qq", "-e", "trace=execve", "-o", log],
    ]);
    // The first report (the probe's baseline sample) and two more from the running loop.
    await until(() => traced.lines.filter((l) => l.includes("metrics acknowledged")).length >= 3);
    const calls = (await Bun.file(log).text()).split("\n").filter((l) => l.includes("execve("));
    // The client's pid heads each strace line: stop it, and strace ends with it.
    process.kill(Number.parseInt(calls[0] ?? "", 10), "SIGKILL");
    await traced.process.exited;
    expect(calls).toHaveLength(1); // strace starting the client itself
    expect(calls[0]).toContain("heartbeat-client");
  });
});
