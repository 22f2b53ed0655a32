// Default mode, `helm uninstall demo`: the release's objects go but for what keeps the data:
// MySQL's PersistentVolumeClaim (Kubernetes keeps a StatefulSet's claims) and the generated
// MySQL and Redis passwords (`helm.sh/resource-policy: keep`, so that a reinstall logs in to the
// data it finds). Deleting them, as a user does to start afresh, releases the volume (the
// default StorageClass deletes it).
import { expect, test } from "bun:test";
import { waitFor } from "../../src/testing/wait";
import { helm, kget, kubectl, say } from "./lib/cluster";
import { NS, RELEASE } from "./lib/defaults";

const instance = `app.kubernetes.io/instance=${RELEASE}`;

test("helm uninstall demo: only MySQL's claim and the passwords stay, and deleting them frees the volume", async () => {
  const claims = (await kget(["pvc", "-n", NS, "-l", instance])).items;
  const volumes = claims.map((c) => c.spec.volumeName as string);
  const kept = (await kget(["secrets", "-n", NS, "-l", instance])).items.filter(
    (s) => s.metadata.annotations?.["helm.sh/resource-policy"] === "keep",
  );
  const stays = [
    ...claims.map((c) => `persistentvolumeclaim/${c.metadata.name}`),
    ...kept.map((s) => `secret/${s.metadata.name}`),
  ].sort();
  await helm(["uninstall", RELEASE, "--namespace", NS, "--wait", "--timeout", "5m"]);
  const left = async () =>
    (
      await kubectl([
        "get",
        "all,configmaps,secrets,networkpolicies,poddisruptionbudgets,pvc",
        "-n",
        NS,
        "-l",
        instance,
        "-o",
        "name",
      ])
    ).stdout
      .split("\n")
      .filter(Boolean)
      .sort();
  // Pods of deleted workloads take their grace period to go.
  await waitFor(
    "only the claims and kept secrets left",
    async () => (await left()).every((o) => stays.includes(o)),
    120_000,
    1000,
  );
  expect(await left()).toEqual(stays);
  expect(kept.map((s) => s.metadata.name).sort()).toEqual(["demo-users-mysql", "demo-users-redis"]);
  await kubectl(["delete", "pvc,secrets", "-n", NS, "-l", instance, "--wait=true"]);
  expect(await left()).toEqual([]);
  const pvs = async () =>
    (await kget(["pv"])).items.map((p) => p.metadata.name).filter((n) => volumes.includes(n));
  await waitFor(
    "the volumes deleted by the provisioner",
    async () => (await pvs()).length === 0,
    120_000,
    1000,
  );
  say(
    `ok: nothing of ${RELEASE} left in ${NS}; ${volumes.length} volume(s) released: ${volumes.join(" ")}`,
  );
});
