// heartbeat, 2 server replicas on the Redis store (the external Redis of step 20): a client pod
// deleted says goodbye on SIGTERM (logged left, not lost), and the StatefulSet's replacement keeps
// the pod name, which the servers log as that client reconnected with restarted=true. A client
// frozen (cgroup freezer) past 3 beats is logged lost, then reconnected once thawed: a node that
// stops answering without a goodbye, which deleting a pod cannot show.
import { expect, test } from "bun:test";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type KObject, kget, kubectl, run, say, waitReady } from "./lib/cluster";
import {
  clients,
  logged,
  podNames,
  servers,
  shown,
  waitAgreedUp,
  waitLogged,
} from "./lib/heartbeat";
import { ns } from "./lib/release";

test("the release runs 2 heartbeat server replicas", async () => {
  expect(await podNames(servers)).toHaveLength(2);
});

test("a deleted client pod is logged left, then reconnected under its id (restarted)", async () => {
  const since = new Date();
  const victim = (await podNames(clients))[0];
  if (!victim) throw new Error(`no heartbeat client pod (${clients})`);
  await kubectl(["-n", ns, "delete", "pod", victim, "--wait=true"]);
  say(shown(await waitLogged(since, "client left", victim)));
  const back = await waitLogged(since, "client reconnected", victim);
  say(shown(back));
  expect(back.restarted).toBe(true);
  expect(await logged(since, "client lost", victim)).toEqual([]);
  await waitReady(ns, clients, 1, 60_000);
});

/** The freezer of a pod's first container: cgroup v1 (this machine) or v2 (e.g. ubuntu-24.04). */
async function freezerOf(pod: KObject) {
  const uid = pod.metadata.uid;
  const cid = String(pod.status.containerStatuses[0].containerID).replace(/^.*:\/\//, "");
  const find = async (args: string[]) =>
    (await run(["find", ...args], { allowFail: true })).stdout.split("\n").find(Boolean);
  const v1 = await find([
    "/sys/fs/cgroup/freezer", // kubepods of node 1, or <node>/kubepods of another (node.sh)
    "-type",
    "d",
    "-path",
    `*/kubepods/*pod${uid}/${cid}`,
  ]);
  if (v1 && existsSync(join(v1, "freezer.state")))
    return { freeze: join(v1, "freezer.state"), frozen: "FROZEN", thawed: "THAWED" };
  const v2 = await find([
    "/sys/fs/cgroup",
    "-type",
    "d",
    "-path",
    `*pod${uid}*`,
    "-name",
    `*${cid}*`,
  ]);
  if (v2 && existsSync(join(v2, "cgroup.freeze")))
    return { freeze: join(v2, "cgroup.freeze"), frozen: "1", thawed: "0" };
  throw new Error(
    `no freezer cgroup (v1 or v2) for ${pod.metadata.name} (pod ${uid}, container ${cid})`,
  );
}

test("a client frozen past 3 beats is logged lost, then reconnected when thawed", async () => {
  // The same pod name may come up again (a StatefulSet): only what is logged from now on counts.
  const since = new Date();
  const frozen = (await podNames(clients))[0];
  if (!frozen) throw new Error(`no heartbeat client pod (${clients})`);
  await waitAgreedUp(frozen);
  const freezer = await freezerOf(await kget<KObject>(["pod", frozen, "-n", ns]));
  writeFileSync(freezer.freeze, freezer.frozen);
  try {
    say(shown(await waitLogged(since, "client lost", frozen)));
  } finally {
    // Past the liveness probe's threshold the kubelet replaces the frozen container: its
    // cgroup is gone then, and there is nothing left to thaw.
    if (existsSync(freezer.freeze)) writeFileSync(freezer.freeze, freezer.thawed);
  }
  say(shown(await waitLogged(since, "client reconnected", frozen)));
});
