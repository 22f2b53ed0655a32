// Default mode, the Redis pod deleted under load: reads are served from MySQL (X-Cache: BYPASS)
// while it is gone and come from the cache again (HIT) once the new pod is up, without any API
// pod restarting; no read is stale, no write lost.
import { expect, test } from "bun:test";
import { waitFor } from "../../src/testing/wait";
import { kubectl, say } from "./lib/cluster";
import { NS, REDIS } from "./lib/defaults";
import { drill, replacePod } from "./lib/drill";

test("Redis deleted under load: reads BYPASS, then HIT again, the API never restarted", async () => {
  let deletedAt = 0;
  let bypassAt = 0;
  await drill("redis", async (load) => {
    await waitFor("cache hits before the drill", () => (load.cache.HIT ?? 0) >= 20, 60_000, 100);
    const pod = await replacePod(REDIS, async () => {
      deletedAt = Date.now();
      await kubectl(["delete", "pod", "-n", NS, "-l", REDIS, "--wait=false"]);
      bypassAt = await waitFor(
        "a read answered BYPASS",
        () => load.cacheTimeline.find((e) => e.at > deletedAt && e.cache === "BYPASS")?.at ?? false,
        120_000,
        100,
      );
    });
    const readyAt = Date.now();
    const hitAt = await waitFor(
      "a read answered HIT again",
      () => load.cacheTimeline.find((e) => e.at > readyAt && e.cache === "HIT")?.at ?? false,
      120_000,
      100,
    );
    say(
      `${pod} deleted: first BYPASS after ${bypassAt - deletedAt} ms, new pod Ready after ${readyAt - deletedAt} ms, ` +
        `first HIT ${hitAt - readyAt} ms later`,
    );
  });
  expect(bypassAt).toBeGreaterThan(deletedAt);
});
