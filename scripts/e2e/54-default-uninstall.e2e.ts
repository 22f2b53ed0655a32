// Default mode, `helm uninstall demo`: the release's objects go; MySQL's PersistentVolumeClaim
// stays (Kubernetes keeps a StatefulSet's claims, so data survives an uninstall, as Bitnami's
// README says), and deleting it, as a user does to start afresh, releases its volume (the
// default StorageClass deletes it).
import { expect, test } from "bun:test";
import { waitFor } from "../../src/testing/wait";
import { helm, kget, kubectl, say } from "./lib/cluster";
import { NS, RELEASE } from "./lib/defaults";

const instance = `app.kubernetes.io/instance=${RELEASE}`;

test("helm uninstall demo: only MySQL's claim stays, and deleting it frees the volume", async () => {
  const claims = (await kget(["pvc", "-n", NS, "-l", instance])).items;
  const volumes = claims.map((c) => c.spec.volumeName as string);
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
    "only the claims left",
    async () => (await left()).every((o) => o.startsWith("persistentvolumeclaim/")),
    120_000,
    1000,
  );
  expect(await left()).toEqual(
    claims.map((c) => `persistentvolumeclaim/${c.metadata.name}`).sort(),
  );
  await kubectl(["delete", "pvc", "-n", NS, "-l", instance, "--wait=true"]);
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
