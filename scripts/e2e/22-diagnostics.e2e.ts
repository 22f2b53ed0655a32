// scripts/k8s/diagnostics.sh (what the kind job of ci.yaml prints when an install fails, and what
// run.sh prints when a step fails) on the good install: run once where it has something to
// show, so that the day it is needed it is known to print the release, pods, events and logs.
import { expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { cluster, pods, run, say } from "./lib/cluster";
import { ns, release } from "./lib/release";

test("diagnostics.sh prints the release, the pods, the events and each pod's logs", async () => {
  const ran = await run(["bash", "scripts/k8s/diagnostics.sh", ns], {
    env: { KUBECTL: cluster.kubectl, HELM: cluster.helm, KUBECONFIG: cluster.kubeconfig },
  });
  const out = ran.stdout + ran.stderr;
  const file = join(cluster.state, "diagnostics.txt");
  writeFileSync(file, out);
  const api = (await pods(ns, "app.kubernetes.io/name=users,app.kubernetes.io/component=api"))[0]
    ?.metadata.name;
  expect(api).toBeDefined();
  const lines = out.split("\n");
  const sections = lines.filter((line) => line.startsWith("---- "));
  expect(sections).toEqual(
    expect.arrayContaining([
      "---- helm releases",
      `---- helm status ${release} -n ${ns}`,
      "---- pods",
      "---- events (last 60)",
      `---- logs ${api} -n ${ns} (last 200 lines of each container)`,
    ]),
  );
  expect(out).toContain("STATUS: deployed");
  expect(out).toContain(`[pod/${api}/`);
  say(`ok: ${sections.length} sections, ${lines.length - 1} lines (${file})`);
});
