// The release script refuses a package that disagrees with its tag, and pushes nothing: a
// subchart that pins its own image tag would have its pods run an old image under a new chart.
// The fixture is a clone of this checkout with that one pin, released as v0.3.0 (a version no
// other step publishes, so the registry must hold nothing of demo-org/ after it).
import { expect, test } from "bun:test";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cluster, repo, run, say } from "./lib/cluster";
import { imageRepo, registryReport, releaseScript } from "./lib/release";

test("release.sh refuses a chart whose echo subchart pins image tag 0.1.0, pushing nothing", async () => {
  const fixture = join(cluster.state, "release-mismatch");
  rmSync(fixture, { recursive: true, force: true });
  await run(["git", "clone", "-q", repo, fixture]);
  await run([
    "yq",
    "-i",
    '.image.tag = "0.1.0"',
    join(fixture, "charts/demo/charts/echo/values.yaml"),
  ]);

  const released = await releaseScript("scripts/release.sh", ["v0.3.0"], {
    env: { RELEASE_SOURCE: fixture },
    allowFail: true,
  });
  const log = released.stdout + released.stderr;
  writeFileSync(join(cluster.state, "release-mismatch.log"), log);
  expect(released.code, log).not.toBe(0);
  expect(log).toContain(`the packaged chart renders ${imageRepo}:0.1.0`);
  expect(log).toContain("nothing was pushed");
  expect(await registryReport()).not.toContain("demo-org/");
  rmSync(fixture, { recursive: true, force: true });
  say(
    "ok: release.sh v0.3.0 refused the mismatched package; nothing under demo-org/ in the registry",
  );
});
