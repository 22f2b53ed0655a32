// `kubectl drain` of demo-node-2 under load: keep-alive load on echo (10 connections, GET and
// POST, src/testing/keep-alive-load.ts) and a read/write load on users (lib/users-load.ts), both
// through node 1's node ports, every request counted: not one may fail. Node 2 first gets a
// second echo server pod (3 replicas, one moved there with node 1 cordoned), so that the drain meets
// the PodDisruptionBudget (maxUnavailable 1): it may evict one of the two at once, and must wait
// for that one's replacement to be Ready on node 1 before it evicts the other. The heartbeat
// clients on node 2 (StatefulSet pods) say goodbye (answered LEFT) and come back under their own ids
// (reconnected, was LEFT): the StatefulSet puts each back at once on node 1, not when node 2 is
// uncordoned. Afterwards node 2 is uncordoned and echo scaled back to its 2 replicas.
import { expect, test } from "bun:test";
import { keepAliveLoad } from "../../src/testing/keep-alive-load";
import { waitFor } from "../../src/testing/wait";
import { cluster, kubectl, nodePortUrl, say, waitReady } from "./lib/cluster";
import { clients, logged, serverLog, servers, shown } from "./lib/heartbeat";
import { node2, placement, placementLines, placeOn, uncordon } from "./lib/nodes";
import { ns } from "./lib/release";
import { usersLoad } from "./lib/users-load";

const echoServer = "app.kubernetes.io/name=echo,app.kubernetes.io/component=server";
const usersApi = "app.kubernetes.io/name=users,app.kubernetes.io/component=api";

test(`drain ${node2} under load on echo and users: 0 failed requests, the PDB honoured`, async () => {
  // Two echo server pods on node 2, so that the drain must not take both at once; one users API
  // pod, one heartbeat server and one heartbeat client there too (where 26's spread put them;
  // put there again when this step runs again on a kept cluster).
  await kubectl(["-n", ns, "scale", "deployment/demo-echo", "--replicas=3"]);
  await waitReady(ns, echoServer, 3, 120_000);
  await placeOn(ns, echoServer, node2, 2);
  await placeOn(ns, usersApi, node2, 1);
  await placeOn(ns, servers, node2, 1);
  await placeOn(ns, clients, node2, 1);
  const leaving = (await placement(ns, clients)).filter((p) => p.node === node2).map((p) => p.pod);
  for (const line of await placementLines(ns, "app.kubernetes.io/instance=demo"))
    say(`before: ${line}`);
  // What the leaving clients log (their pods go with the drain): did each send its goodbye?
  const clientLogs = leaving.map((pod) =>
    Bun.spawn([cluster.kubectl, "--kubeconfig", cluster.kubeconfig, "-n", ns, "logs", "-f", pod], {
      stdout: "pipe",
      stderr: "pipe",
    }),
  );

  const since = new Date();
  const stop = new AbortController();
  const echo = keepAliveLoad(`${await nodePortUrl(ns, "demo-echo")}/`, {
    connections: 10,
    maxSeconds: 900,
    signal: stop.signal,
  });
  const users = usersLoad(await nodePortUrl(ns, "demo-users"), {
    workers: 4,
    prefix: `drain-${Date.now().toString(36)}`,
    signal: stop.signal,
  });
  let drained: string;
  let drainSeconds: number;
  try {
    await waitFor(
      "answers from echo and users before the drain",
      () => echo.counts.ok > 0 && users.counts.acknowledgedWrites >= 20,
      60_000,
      100,
    );
    const started = Date.now();
    const out = await kubectl([
      ...["drain", node2, "--ignore-daemonsets", "--delete-emptydir-data"],
      ...["--timeout=300s", "--grace-period=-1"],
    ]);
    drainSeconds = (Date.now() - started) / 1000;
    drained = out.stdout + out.stderr;
    await waitReady(ns, echoServer, 3, 120_000);
    await waitReady(ns, "app.kubernetes.io/instance=demo", 1, 180_000);
  } finally {
    stop.abort();
  }
  const [e, u] = await Promise.all([echo.done, users.done]);
  // The goodbye's answer is in the client's own log: the server replica that took it may have
  // been on node 2 too, and its log went with it.
  const goodbyes: string[] = [];
  for (const [i, log] of clientLogs.entries()) {
    log.kill();
    const lines = (await new Response(log.stdout).text()).split("\n");
    const sent = lines.find((l) => l.includes('"goodbye sent"') && l.includes('"state":"LEFT"'));
    for (const line of lines.filter((l) => l.includes("goodbye"))) say(`${leaving[i]}: ${line}`);
    if (sent) goodbyes.push(leaving[i] as string);
  }
  say(`drain of ${node2} took ${drainSeconds.toFixed(1)} s; what kubectl drain said:`);
  for (const line of drained.split("\n").filter(Boolean)) say(`  ${line}`);
  say(
    `echo during the drain: ${e.sent} requests: ${e.ok} ok, ${e.failed} failed, ${e.notSent} refused ` +
      `(never sent); ${e.closeAnswers} answers said Connection: close`,
  );
  say(
    `users during the drain: ${u.requests} requests ${JSON.stringify(u.status)}, ` +
      `${u.acknowledgedWrites} acknowledged writes; failed: ${u.failed}`,
  );
  for (const line of await placementLines(ns, "app.kubernetes.io/instance=demo"))
    say(`after: ${line}`);

  expect({ failed: e.failed, notSent: e.notSent, errors: e.errors }).toEqual({
    failed: 0,
    notSent: 0,
    errors: [],
  });
  expect({ failed: u.failed, errors: u.errors }).toEqual({ failed: 0, errors: [] });
  expect(Object.keys(u.status).sort()).toEqual(["200", "201"]);
  // The budget held: the second echo pod's eviction was refused until the first came back.
  const refused = drained
    .split("\n")
    .filter((l) => l.includes("demo-echo-") && l.includes("disruption budget"));
  expect(refused).not.toEqual([]);
  say(`ok: the PDB made the drain wait (${refused.length} evictions refused, then retried)`);
  expect(
    (await placement(ns, "app.kubernetes.io/instance=demo")).filter((p) => p.node === node2),
  ).toEqual([]);

  // The heartbeat clients that ran on node 2: goodbye answered LEFT, then back under their own
  // ids as a reconnection of a LEFT client, never LOST. The replica that answered LEFT may be
  // drained with them: it shares what it took during its shutdown delay before it stops.
  expect(leaving).not.toEqual([]);
  expect(goodbyes).toEqual(leaving);
  for (const id of leaving) {
    const back = await waitFor(
      `the servers to log ${id} back`,
      async () =>
        (await serverLog(since)).find(
          (e) => e.clientId === id && ["client reconnected", "client restarted"].includes(e.msg),
        ) ?? false,
      60_000,
      1000,
    );
    say(shown(back));
    expect(back).toMatchObject({ msg: "client reconnected", was: "LEFT", restarted: true });
    expect(await logged(since, "client lost", id)).toEqual([]);
  }
});

test(`${node2} uncordoned, echo back to 2 replicas`, async () => {
  await uncordon(node2);
  await kubectl(["-n", ns, "scale", "deployment/demo-echo", "--replicas=2"]);
  await waitFor(
    "2 echo server pods",
    async () => (await placement(ns, echoServer)).length === 2,
    120_000,
    1000,
  );
  await waitReady(ns, echoServer, 2, 120_000);
  const schedulable = await kubectl(["get", "node", node2, "-o", "jsonpath={.spec.unschedulable}"]);
  expect(schedulable.stdout).toBe("");
});
