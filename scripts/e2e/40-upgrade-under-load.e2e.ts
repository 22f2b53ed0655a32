// helm upgrade to the chart 0.2.1 (every pod rolls from image 0.2.0 to 0.2.1) under keep-alive
// load on echo: 10 connections (undici), GET and POST in turn, through the echo Service's node
// port, from before the upgrade until the old pods have drained and exited; every request is
// counted and not one may fail. The old pods must answer `Connection: close` while draining:
// otherwise clients keep sending on connections to a pod that is about to exit.
import { expect, test } from "bun:test";
import { keepAliveLoad } from "../../src/testing/keep-alive-load";
import { waitFor } from "../../src/testing/wait";
import { helm, type KObject, kget, kubectl, nodePortUrl, pods, say } from "./lib/cluster";
import { chartRef, ns, release, v1, v2, valuesFile } from "./lib/release";

const onV1 = (p: KObject) =>
  p.spec.containers.some((c: { image: string }) => c.image.includes(`:${v1}`));

test(`helm upgrade to ${v2} under keep-alive load on echo: 0 failed requests`, async () => {
  const echo = `${await nodePortUrl(ns, "demo-echo")}/`;
  const stop = new AbortController();
  const load = keepAliveLoad(echo, { connections: 10, maxSeconds: 600, signal: stop.signal });
  try {
    await waitFor("the load generator's first answers", () => load.counts.ok > 0, 30_000, 100);
    await helm([
      "upgrade",
      release,
      chartRef,
      "--version",
      v2,
      "-n",
      ns,
      "-f",
      valuesFile,
      "--wait",
      "--timeout",
      "5m",
    ]);
    for (const d of (await kget(["deployments", "-n", ns])).items)
      await kubectl([
        "-n",
        ns,
        "rollout",
        "status",
        `deployment/${d.metadata.name}`,
        "--timeout=120s",
      ]);
    // Past the old pods' drain: they exit SHUTDOWN_DELAY_SECONDS after SIGTERM.
    await waitFor(
      "the old echo pods to exit",
      async () =>
        !(await pods(ns, "app.kubernetes.io/name=echo,app.kubernetes.io/component=server")).some(
          onV1,
        ),
      90_000,
      1000,
    );
  } finally {
    stop.abort();
  }
  const result = await load.done;
  say(
    `echo during the upgrade: ${result.sent} requests: ${result.ok} ok, ${result.failed} failed, ` +
      `${result.notSent} refused (never sent); ${result.closeAnswers} answers said Connection: close`,
  );
  expect({ failed: result.failed, notSent: result.notSent, errors: result.errors }).toEqual({
    failed: 0,
    notSent: 0,
    errors: [],
  });
  expect(result.sent).toBeGreaterThanOrEqual(10_000);
  // None: the old echo pods did not drain their keep-alive connections.
  expect(result.closeAnswers).toBeGreaterThan(0);
});

test(`every running pod is on :${v2}`, async () => {
  const running = async () =>
    (await kget(["pods", "-n", ns, "--field-selector=status.phase=Running"])).items;
  await waitFor(
    `no running pod on :${v1}`,
    async () => !(await running()).some(onV1),
    90_000,
    1000,
  ).catch(() => undefined);
  expect((await running()).filter(onV1).map((p) => p.metadata.name)).toEqual([]);
  say(`ok: every running pod is on :${v2}`);
});
