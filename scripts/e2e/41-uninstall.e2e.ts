// helm uninstall leaves nothing of the release behind: no namespaced object labelled with the
// release, no pod at all in its namespace (helm test hook pods are not deleted with the release
// unless their hook-delete-policy says so), nothing cluster-wide. A leftover would collide with
// the next install or keep running unowned.
import { expect, test } from "bun:test";
import { waitFor } from "../../src/testing/wait";
import { helm, kget, say } from "./lib/cluster";
import { ns, release } from "./lib/release";

const namespaced =
  "all,configmaps,secrets,serviceaccounts,roles,rolebindings,networkpolicies,poddisruptionbudgets,persistentvolumeclaims";
const instance = `app.kubernetes.io/instance=${release}`;

async function leftovers() {
  const names = (list: { items: { kind?: string; metadata: { name: string } }[] }) =>
    list.items.map((o) => `${o.kind}/${o.metadata.name}`);
  return [
    ...names(await kget([namespaced, "-n", ns, "-l", instance])),
    ...names(await kget(["pods", "-n", ns])),
    ...names(await kget(["clusterroles,clusterrolebindings,persistentvolumes", "-l", instance])),
  ];
}

test(`helm uninstall ${release} leaves nothing behind`, async () => {
  await helm(["uninstall", release, "-n", ns, "--wait", "--timeout", "3m"]);
  // Pods of deleted workloads take their grace period to go: settled once none is terminating
  // and none is still owned by a (deleted) workload. What is left then is checked below.
  await waitFor(
    "the release's pods to terminate",
    async () =>
      !(await kget(["pods", "-n", ns])).items.some(
        (p) => p.metadata.deletionTimestamp || p.metadata.ownerReferences?.length,
      ),
    90_000,
    1000,
  ).catch(() => undefined);
  const left = [...new Set(await leftovers())].sort();
  if (left.length > 0) {
    const hooks = (await kget(["pods", "-n", ns])).items
      .filter((p) => p.metadata.annotations?.["helm.sh/hook"])
      .map((p) => `${p.metadata.name}=${p.metadata.annotations?.["helm.sh/hook-delete-policy"]}`);
    if (hooks.length)
      say(`helm hook pods still there (name=hook-delete-policy): ${hooks.join(" ")}`);
  }
  expect(left).toEqual([]);
  say(`ok: no object of release ${release} left in namespace ${ns} or cluster-wide`);
});
