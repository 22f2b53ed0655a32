// heartbeat: one of the 2 server replicas deleted. The clients' beats go to the other replica,
// then to either, and the Redis store keeps the registry: no client is lost, every client listed
// before is listed again, UP, and seen after the deletion (later than the 3.25 intervals that
// LOST would take), so one replica going away is invisible to the operator.
import { expect, test } from "bun:test";
import { waitFor } from "../../src/testing/wait";
import { kubectl, nodePortUrl, say, waitReady } from "./lib/cluster";
import { podNames, serverLog, servers } from "./lib/heartbeat";
import { ns } from "./lib/release";

interface Listed {
  clientId: string;
  state: string;
  lastSeen: string;
}

async function listed(): Promise<Listed[]> {
  const base = await nodePortUrl(ns, "demo-heartbeat");
  const response = await fetch(`${base}/clients`, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`GET ${base}/clients answered ${response.status}`);
  return ((await response.json()) as { clients: Listed[] }).clients;
}
const present = async () =>
  (await listed())
    .filter((c) => c.state !== "LEFT")
    .map((c) => c.clientId)
    .sort();

test("a server pod deleted: no client lost, every client still listed, UP and seen since", async () => {
  const since = new Date();
  const known = await present();
  expect(known).not.toEqual([]);
  const [victim] = await podNames(servers);
  if (!victim) throw new Error(`no heartbeat server pod (${servers})`);
  await kubectl(["-n", ns, "delete", "pod", victim, "--wait=true"]);
  await waitReady(ns, servers, 2, 120_000);
  // Seen 12 s after the replacement is Ready: later than a client would take to go LOST.
  const later = new Date(Date.now() + 12_000).toISOString();
  let last: Listed[] = [];
  await waitFor(
    `every client listed UP and seen after ${later}`,
    async () => {
      last = await listed();
      const byId = new Map(last.map((c) => [c.clientId, c]));
      return known.every(
        (id) => byId.get(id)?.state === "UP" && (byId.get(id)?.lastSeen ?? "") > later,
      );
    },
    90_000,
    1000,
  ).catch((error) => {
    throw new Error(`${error.message}\nGET /clients: ${JSON.stringify(last, null, 1)}`);
  });
  expect(await present()).toEqual(known);
  expect((await serverLog(since)).filter((e) => e.msg === "client lost")).toEqual([]);
  say(
    `ok: ${known.length} clients listed and UP through the deletion (since ${since.toISOString()}), none lost`,
  );
});
