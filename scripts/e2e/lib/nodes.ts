// The cluster's nodes as the multi-node steps (26, 27, 33, 34) see them: which node each replica
// runs on, cordoning, and putting a replica on a chosen node. scripts/cluster/node.sh starts
// the nodes: demo-node (node 1, which also runs the control plane) and demo-node-2.
import { waitFor } from "../../../src/testing/wait";
import { type KObject, kget, kubectl, pods, ready, repo, run } from "./cluster";

export const node1 = "demo-node";
export const node2 = "demo-node-2";

/** The names of the Ready nodes, sorted. */
export async function readyNodes() {
  return (await kget(["nodes"])).items
    .filter(ready)
    .map((n) => n.metadata.name)
    .sort();
}

/** The live (not terminating) pods of a selector, with the node each runs on. */
export async function placement(namespace: string, selector: string) {
  return (await pods(namespace, selector))
    .filter((p) => !p.metadata.deletionTimestamp)
    .map((p) => ({ pod: p.metadata.name, node: String(p.spec.nodeName ?? "-"), ready: ready(p) }));
}

/** "pod on node" lines, one per replica, as the run prints them. */
export async function placementLines(namespace: string, selector: string) {
  return (await placement(namespace, selector)).map(
    (p) => `${p.pod.padEnd(40)} on ${p.node}${p.ready ? "" : " (not Ready)"}`,
  );
}

export const cordon = (node: string) => kubectl(["cordon", node]);
export const uncordon = (node: string) => kubectl(["uncordon", node]);

/**
 * Makes sure one more Ready pod of a workload runs on `node`: the other nodes cordoned while one
 * pod of it elsewhere is deleted, so its replacement (a Deployment's new pod, or a StatefulSet's
 * under the same name) can only go there (the scheduler's soft spread would pick the node with
 * fewer of them, not necessarily this one); then uncordoned.
 */
export async function movePodTo(namespace: string, selector: string, node: string) {
  const live = async () =>
    (await pods(namespace, selector)).filter((p) => !p.metadata.deletionTimestamp);
  const before = await live();
  const victim = before.find((p) => p.spec.nodeName !== node);
  if (!victim) throw new Error(`every pod ${selector} already runs on ${node}`);
  const onNode = before.filter((p) => p.spec.nodeName === node).length;
  const others = (await kget(["nodes"])).items
    .map((n) => n.metadata.name)
    .filter((n) => n !== node);
  for (const other of others) await cordon(other);
  try {
    await kubectl(["-n", namespace, "delete", "pod", victim.metadata.name, "--wait=false"]);
    await waitFor(
      `a Ready pod ${selector} on ${node} in place of ${victim.metadata.name}`,
      async () => {
        const now = await live();
        return !now.some((p) => p.metadata.uid === victim.metadata.uid) &&
          now.length === before.length &&
          now.filter((p) => p.spec.nodeName === node && ready(p)).length > onNode
          ? now
          : false;
      },
      180_000,
      1000,
    );
  } finally {
    for (const other of others) await uncordon(other);
  }
}

/** Moves pods of a workload to `node` until `count` of them run there. */
export async function placeOn(namespace: string, selector: string, node: string, count: number) {
  for (;;) {
    const there = (await placement(namespace, selector)).filter((p) => p.node === node).length;
    if (there >= count) return;
    await movePodTo(namespace, selector, node);
  }
}

/** scripts/cluster/freeze-node.sh: every process of a node (not node 1) frozen or thawed at once. */
export const freezeNode = (n: number, what: "freeze" | "thaw") =>
  run(["bash", `${repo}/scripts/cluster/freeze-node.sh`, String(n), what]);

/** The node's Ready condition: "True", "False" or "Unknown" (the kubelet stopped posting). */
export async function nodeReadyStatus(node: string): Promise<string> {
  const n = await kget<KObject>(["node", node]);
  return (
    n.status?.conditions?.find((c: { type: string }) => c.type === "Ready")?.status ?? "Unknown"
  );
}
