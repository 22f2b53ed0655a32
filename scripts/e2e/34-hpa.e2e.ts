// The HorizontalPodAutoscaler scales: helm upgrade with echo.server.autoscaling.hpa.enabled=true
// (min 2, max 5, 80 % of the 50m CPU request: the chart's defaults) and the stabilization windows
// shortened by values (0 s up, 15 s down; Kubernetes' defaults are 0 s and 300 s), with
// metrics-server (scripts/cluster/metrics-server.yaml) serving the pods' CPU. Under keep-alive
// load echo scales out; once the load stops it scales back in to 2. The replica counts over time
// are printed. The release goes back to its values of 21 (no HPA, 2 replicas) at the end.
import { afterAll, expect, test } from "bun:test";
import { keepAliveLoad } from "../../src/testing/keep-alive-load";
import { waitFor } from "../../src/testing/wait";
import { helm, type KObject, kget, nodePortUrl, say, waitReady } from "./lib/cluster";
import { chartRef, ns, release, v1, valuesFile } from "./lib/release";

const echoServer = "app.kubernetes.io/name=echo,app.kubernetes.io/component=server";
const hpaValues = {
  enabled: true,
  minReplicas: 2,
  maxReplicas: 5,
  scaleUpStabilizationSeconds: 0,
  scaleDownStabilizationSeconds: 15,
};
const upgrade = (set: string[]) =>
  helm([
    ...["upgrade", release, chartRef, "--version", v1, "-n", ns, "-f", valuesFile],
    ...set.flatMap((s) => ["--set", s]),
    ...["--wait", "--timeout", "5m"],
  ]);

/** What the HPA says now: desired and current replicas, the CPU it measured (percent of the request). */
async function hpaNow() {
  const hpa = await kget<KObject>(["hpa", "demo-echo", "-n", ns]);
  const cpu = hpa.status?.currentMetrics?.find(
    (m: { resource?: { name: string } }) => m.resource?.name === "cpu",
  )?.resource?.current?.averageUtilization as number | undefined;
  return {
    desired: Number(hpa.status?.desiredReplicas ?? 0),
    current: Number(hpa.status?.currentReplicas ?? 0),
    cpu,
  };
}

const timeline: string[] = [];
const started = Date.now();
let watching = true;
/** One line: seconds since the step began, what the load does, the HPA's replicas and CPU. */
const sample = (phase: string, now: Awaited<ReturnType<typeof hpaNow>>) =>
  timeline.push(
    `${String(Math.round((Date.now() - started) / 1000)).padStart(4)} s  ${phase.padEnd(8)} ` +
      `replicas ${now.current} -> ${now.desired}  cpu ${now.cpu ?? "?"} %`,
  );
/** Every 5 s, a line of the timeline. */
async function watch(phase: () => string) {
  while (watching) {
    const now = await hpaNow().catch(() => undefined);
    if (now) sample(phase(), now);
    await Bun.sleep(5_000); // a sampling period for the printed timeline, not a wait for a state
  }
}

afterAll(async () => {
  watching = false;
  await upgrade([]);
  await waitReady(ns, echoServer, 2, 180_000);
});

test("echo scales out under load and back in after it, by its HPA", async () => {
  await upgrade(Object.entries(hpaValues).map(([k, v]) => `echo.server.autoscaling.hpa.${k}=${v}`));
  const hpa = await kget<KObject>(["hpa", "demo-echo", "-n", ns]);
  expect(hpa.spec.behavior).toEqual({
    scaleUp: expect.objectContaining({ stabilizationWindowSeconds: 0 }),
    scaleDown: expect.objectContaining({ stabilizationWindowSeconds: 15 }),
  });
  // metrics-server has the pods' CPU: the HPA measures it.
  await waitFor(
    "the HPA's first CPU measurement",
    async () => (await hpaNow()).cpu !== undefined,
    180_000,
    2000,
  );

  let phase = "idle";
  const watcher = watch(() => phase);
  const stop = new AbortController();
  const load = keepAliveLoad(`${await nodePortUrl(ns, "demo-echo")}/`, {
    connections: 16,
    maxSeconds: 600,
    signal: stop.signal,
  });
  let peak = 0;
  try {
    phase = "load";
    peak = await waitFor(
      "the HPA to scale echo out beyond 2",
      async () => {
        const { desired } = await hpaNow();
        return desired > 2 ? desired : false;
      },
      300_000,
      2000,
    );
    await waitReady(ns, echoServer, peak, 180_000);
  } finally {
    stop.abort();
  }
  const result = await load.done;
  phase = "no load";
  await waitFor(
    "the HPA to scale echo back in to 2",
    async () => {
      const now = await hpaNow();
      return now.desired === 2 && now.current === 2;
    },
    420_000,
    2000,
  );
  watching = false;
  await watcher;
  sample(phase, await hpaNow());
  say("echo's HPA over time: seconds since the step began, the load, replicas current -> desired,");
  say("and the CPU the HPA last read (metrics-server's 15 s window: it lags the load column)");
  for (const line of timeline) say(`  ${line}`);
  say(
    `load: ${result.sent} requests, ${result.ok} ok, ${result.failed} failed; peak ${peak} replicas`,
  );
  expect(peak).toBeGreaterThan(2);
  expect(result.failed).toBe(0);
});
