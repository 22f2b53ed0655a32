// Two nodes, and where the release's replicas landed with the chart's defaults for placement
// (the install of 21 sets none): the echo server's and the users API's 2 replicas each on a
// different node. The chart spreads them by default with a soft pod anti-affinity on
// kubernetes.io/hostname (demo-lib.podSpecCommon, "spread"): preferred, never required, so the
// same chart still schedules every replica on a one-node minikube.
import { expect, test } from "bun:test";
import { waitFor } from "../../src/testing/wait";
import { say } from "./lib/cluster";
import { node1, node2, placement, placementLines, readyNodes } from "./lib/nodes";
import { ns } from "./lib/release";

const twoNodes = [node1, node2];

const workloads = {
  "echo server": "app.kubernetes.io/name=echo,app.kubernetes.io/component=server",
  "echo client": "app.kubernetes.io/name=echo,app.kubernetes.io/component=client",
  "users API": "app.kubernetes.io/name=users,app.kubernetes.io/component=api",
  "heartbeat server": "app.kubernetes.io/name=heartbeat,app.kubernetes.io/component=server",
  "heartbeat client": "app.kubernetes.io/name=heartbeat,app.kubernetes.io/component=client",
};

test("the cluster has two Ready nodes", async () => {
  expect(await readyNodes()).toEqual([node1, node2]);
});

test("the placement of each replica: every one Ready on one of the two nodes", async () => {
  for (const [name, selector] of Object.entries(workloads)) {
    await waitFor(
      `every ${name} replica Ready on ${node1} or ${node2}`,
      async () => {
        const placed = await placement(ns, selector);
        return placed.length > 0 && placed.every((p) => p.ready && twoNodes.includes(p.node));
      },
      120_000,
      1000,
    );
    say(`${name}:`);
    for (const line of await placementLines(ns, selector)) say(`  ${line}`);
  }
});

test.each(["echo server", "users API"] as const)(
  "the %s's 2 replicas run on different nodes (the default soft anti-affinity)",
  async (name) => {
    const nodes = (await placement(ns, workloads[name])).map((p) => p.node).sort();
    expect(nodes).toEqual([node1, node2]);
    say(`ok: ${name} on ${nodes.join(" and ")}`);
  },
);
