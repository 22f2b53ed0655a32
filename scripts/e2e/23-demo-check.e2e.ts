// `demo check` each system through its node port, as `minikube service --url` gives it: the
// exchanges `helm test` runs inside the cluster, here from outside it, through kube-proxy and
// the NetworkPolicies' extra ingress for this host.
import { expect, test } from "bun:test";
import { cluster, demoCheck, kget, nodePortUrl, say } from "./lib/cluster";
import { nodePorts, ns } from "./lib/release";

async function heartbeatToken() {
  const secret = (await kget(["secret", "-n", ns, "-l", "app.kubernetes.io/name=heartbeat"]))
    .items[0];
  const token = (secret as { data?: { token?: string } } | undefined)?.data?.token;
  if (!token) throw new Error("no heartbeat Secret with a token in the release");
  return Buffer.from(token, "base64").toString();
}

test.each(["echo", "users", "heartbeat"] as const)(
  "demo check %s through its node port",
  async (system) => {
    const url = await nodePortUrl(ns, `demo-${system}`);
    expect(url).toBe(`http://${cluster.nodeIp}:${nodePorts[system]}`);
    const env: Record<string, string> =
      system === "heartbeat" ? { HEARTBEAT_TOKEN: await heartbeatToken() } : {};
    // demoCheck throws, with the exchange's output, unless the check passes.
    const said = await demoCheck(system, url, env);
    for (const line of said.trimEnd().split("\n")) say(line);
  },
);
