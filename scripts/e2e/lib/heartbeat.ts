// The heartbeat release as the operator scenarios (30-32) see it: its server and client pods and
// what the server replicas log. Each scenario reads the logs from its own start on, by the log
// lines' own millisecond timestamps: `kubectl logs --since-time` has whole seconds only.
import { waitFor } from "../../../src/testing/wait";
import { type KObject, kubectl, pods } from "./cluster";
import { ns } from "./release";

export const servers = "app.kubernetes.io/name=heartbeat,app.kubernetes.io/component=server";
export const clients = "app.kubernetes.io/name=heartbeat,app.kubernetes.io/component=client";

/** The names of the pods matching a selector, sorted (a StatefulSet's client pods: its ids). */
export async function podNames(selector: string) {
  return (await pods(ns, selector)).map((p) => p.metadata.name).sort();
}

export interface LogEntry {
  time: string;
  msg: string;
  clientId?: string;
  restarted?: boolean;
  was?: string;
}

/**
 * What the server replicas logged since `since`: a beat, a goodbye or a repeat is logged by the
 * replica that saw it. `skipNode`: leave out the replicas on that node (a frozen node's kubelet
 * cannot serve their logs).
 */
export async function serverLog(since: Date, skipNode?: string): Promise<LogEntry[]> {
  const second = `${since.toISOString().slice(0, 19)}Z`;
  const from = [`--since-time=${second}`, "--tail=-1"];
  const outputs = skipNode
    ? await Promise.all(
        (await pods(ns, servers))
          .filter((p) => p.spec.nodeName !== skipNode && !p.metadata.deletionTimestamp)
          .map(async (p) => (await kubectl(["-n", ns, "logs", p.metadata.name, ...from])).stdout),
      )
    : [(await kubectl(["-n", ns, "logs", "-l", servers, ...from, "--max-log-requests=10"])).stdout];
  return outputs
    .join("\n")
    .split("\n")
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as LogEntry];
      } catch {
        return []; // not a log entry (a runtime's own line)
      }
    })
    .filter((entry) => entry.time >= since.toISOString());
}

/** The entries of one message about one client (`skipNode`: as serverLog). */
export async function logged(since: Date, msg: string, clientId: string, skipNode?: string) {
  return (await serverLog(since, skipNode)).filter((e) => e.msg === msg && e.clientId === clientId);
}

/** Waits until a server logs `msg` about the client; fails with the last lines logged. */
export async function waitLogged(
  since: Date,
  msg: string,
  clientId: string,
  timeoutMs = 60_000,
  skipNode?: string,
) {
  try {
    return await waitFor(
      `a heartbeat server to log "${msg}" for ${clientId}`,
      async () => (await logged(since, msg, clientId, skipNode))[0] ?? false,
      timeoutMs,
      1000,
    );
  } catch (error) {
    const tail = (await serverLog(since, skipNode)).slice(-20).map((e) => JSON.stringify(e));
    const views = await replicaViews().then(describe, (e) => `unreadable: ${e}`);
    throw new Error(
      `${(error as Error).message}\nthe servers' last lines:\n${tail.join("\n")}\nthe replicas say:\n${views}`,
    );
  }
}

/** The `ok:` line of a log entry, as the run's output reports it. */
export const shown = (entry: LogEntry) => `ok: ${JSON.stringify(entry).slice(0, 220)}`;

/** What one server replica says of itself and of the clients (`/healthz`, `/clients`). */
export interface ReplicaView {
  pod: string;
  health: { store?: string; sweeper?: boolean };
  clients: { clientId: string; state: string; bootId: string }[];
}

/** Each server replica's view, read from its pod IP (the host routes to the pod network). */
export async function replicaViews(): Promise<ReplicaView[]> {
  const replicas = (await pods(ns, servers)).filter((p: KObject) => !p.metadata.deletionTimestamp);
  return Promise.all(
    replicas.map(async (p: KObject) => {
      const base = `http://${p.status.podIP}:${p.spec.containers[0].ports[0].containerPort}`;
      const get = async (path: string) =>
        (await fetch(base + path, { signal: AbortSignal.timeout(5000) })).json();
      const [health, list] = await Promise.all([get("/healthz"), get("/clients")]);
      return { pod: p.metadata.name, health, clients: list.clients };
    }),
  );
}

/**
 * Waits until the replicas agree that the client is UP under one boot, on a healthy Redis
 * store with one sweeper: only then can silence be judged (a degraded store judges nobody,
 * by design), so a scenario that freezes a client starts from this state.
 */
export async function waitAgreedUp(clientId: string, timeoutMs = 60_000) {
  let views: ReplicaView[] = [];
  try {
    return await waitFor(
      `the heartbeat replicas to agree that ${clientId} is UP, on a healthy store with one sweeper`,
      async () => {
        views = await replicaViews();
        const boots = new Set(
          views.map((v) => {
            const client = v.clients.find((c) => c.clientId === clientId);
            return client?.state === "UP" ? client.bootId : undefined;
          }),
        );
        const healthy = views.every((v) => v.health.store === "redis");
        const sweepers = views.filter((v) => v.health.sweeper).length;
        return healthy && sweepers === 1 && boots.size === 1 && !boots.has(undefined);
      },
      timeoutMs,
      1000,
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}\nthe replicas said:\n${describe(views)}`);
  }
}

const describe = (views: ReplicaView[]) =>
  views.map((v) => `${v.pod}: ${JSON.stringify(v.health)} ${JSON.stringify(v.clients)}`).join("\n");
