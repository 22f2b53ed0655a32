// NetworkPolicies, enforced by kube-router's policy controller (scripts/cluster/up.sh). The flows
// the systems need already passed in 21-23 with every policy of the release enforced (helm test,
// the checks, heartbeats, users over MariaDB and Redis); here probe pods try the flows one by one,
// the closed ones too: a policy that admits everyone passes every test that only uses it. MySQL
// and Redis run outside the cluster in this e2e, so the chart's Bitnami-mode policies for them
// (rendered from the same chart) guard stand-in pods with Bitnami's labels and port names
// (`demo echo-server` on 3306 and 6379). Re-runnable alone after 21.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { waitFor } from "../../src/testing/wait";
import { cluster, helm, kubectl, pods, run, say, waitReady } from "./lib/cluster";
import { flowState, labelsOf, pod, probeImage, probeLabel } from "./lib/probes";
import { chartRef, deps, imageRepo, ns, release, v1 } from "./lib/release";

type Target =
  | "mysql"
  | "redis"
  | "mysql-external"
  | "redis-external"
  | "echo-server"
  | "heartbeat-server"
  | "users-api";
type State = "open" | "closed";

// FROM TARGET WANT, and why.
const flows: [from: string, target: Target, want: State][] = [
  ["probe-users-api", "mysql", "open"], // MySQL admits the API pods
  ["probe-users-api", "redis", "open"], // Redis admits the API pods
  ["probe-no-labels", "mysql", "closed"], // ... and no one else
  ["probe-no-labels", "redis", "closed"],
  ["probe-echo-client", "mysql", "closed"],
  ["probe-no-labels", "mysql-external", "open"], // no policy selects this pod: the network itself is open
  ["probe-echo-client", "mysql-external", "closed"], // the echo client may reach only its server and DNS
  ["probe-echo-client", "redis-external", "closed"],
  ["probe-echo-client", "echo-server", "open"],
  ["probe-echo-client", "heartbeat-server", "closed"],
  ["probe-echo-client", "users-api", "closed"],
  ["probe-users-api", "heartbeat-server", "closed"], // the API reaches only MySQL, Redis and DNS
  ["probe-no-labels", "heartbeat-server", "closed"], // networkPolicy.allowExternal=false: no label, no entry
  ["probe-hb-access", "heartbeat-server", "open"], // the label Bitnami's charts use: <release>-heartbeat-client
];

/** The chart's policies for Bitnami's MySQL and Redis pods, as `helm template` renders them. */
async function bitnamiPolicies() {
  const rendered = await helm([
    ...["template", release, chartRef, "--version", v1, "-n", ns],
    ...["--show-only", "charts/users/templates/networkpolicy.yaml"],
  ]);
  const docs = JSON.parse(
    (await run(["yq", "ea", "-o=json", "[.]"], { stdin: rendered.stdout })).stdout,
  ) as {
    kind: string;
    spec: { podSelector: { matchLabels?: Record<string, string> } };
  }[];
  return docs.filter((d) =>
    ["mysql", "redis"].includes(
      d?.spec?.podSelector?.matchLabels?.["app.kubernetes.io/name"] ?? "",
    ),
  );
}

let objects: { apiVersion: string; kind: string; items: unknown[] };
const observed = new Map<string, { address: string; got: State }>();

beforeAll(async () => {
  const policies = await bitnamiPolicies();
  expect(policies.map((p) => p.kind)).toEqual(["NetworkPolicy", "NetworkPolicy"]);
  const probe = probeImage();
  const idle = ["sleep", "900"];
  const items = [
    ...policies,
    pod("netpol-mysql", `${imageRepo}:${v1}`, labelsOf("mysql"), ["echo-server"], 3306, "mysql"),
    pod("netpol-redis", `${imageRepo}:${v1}`, labelsOf("redis"), ["echo-server"], 6379, "redis"),
    pod("probe-no-labels", probe, {}, idle),
    pod("probe-users-api", probe, labelsOf("users", "api"), idle),
    pod("probe-echo-client", probe, labelsOf("echo", "client"), idle),
    pod("probe-hb-access", probe, { "demo-heartbeat-client": "true" }, idle),
  ];
  objects = { apiVersion: "v1", kind: "List", items };
  await kubectl(["-n", ns, "apply", "-f", "-"], { stdin: JSON.stringify(objects) });
  await waitReady(ns, probeLabel, 6, 120_000);

  const ipOf = async (selector: string) => {
    const ip = (await pods(ns, selector))[0]?.status?.podIP;
    if (!ip) throw new Error(`no pod with an IP for ${selector}`);
    return ip as string;
  };
  const { mysql, redis } = deps();
  const address: Record<Target, string> = {
    mysql: `${await ipOf("app.kubernetes.io/name=mysql")}:3306`,
    redis: `${await ipOf("app.kubernetes.io/name=redis")}:6379`,
    "mysql-external": `${cluster.nodeIp}:${mysql.port}`,
    "redis-external": `${cluster.nodeIp}:${redis.port}`,
    "echo-server": `${await ipOf("app.kubernetes.io/name=echo,app.kubernetes.io/component=server,!demo-e2e")}:8080`,
    "heartbeat-server": `${await ipOf("app.kubernetes.io/name=heartbeat,app.kubernetes.io/component=server")}:8080`,
    "users-api": `${await ipOf("app.kubernetes.io/name=users,app.kubernetes.io/component=api,!demo-e2e")}:8080`,
  };
  // kube-router applies a new pod's rules within seconds: probe until the whole table holds at
  // once (or the time is up; the rows that do not hold then fail below, each with its diff).
  await waitFor(
    "every flow as the policies say",
    async () => {
      const states = await Promise.all(
        flows.map(([from, target]) => flowState(from, address[target])),
      );
      for (const [i, [from, target]] of flows.entries())
        observed.set(`${from} ${target}`, { address: address[target], got: states[i] as State });
      return flows.every(([, , want], i) => states[i] === want);
    },
    120_000,
    1000,
  ).catch(() => undefined);
});

afterAll(async () => {
  if (objects)
    await kubectl(["-n", ns, "delete", "--ignore-not-found", "--wait=true", "-f", "-"], {
      stdin: JSON.stringify(objects),
    });
});

test.each(flows)("%s -> %s: %s", (from, target, want) => {
  const flow = observed.get(`${from} ${target}`);
  expect(flow?.got).toBe(want);
  say(`ok: ${want.padEnd(6)} ${from.padEnd(18)} -> ${target.padEnd(17)} ${flow?.address}`);
});
