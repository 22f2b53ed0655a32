// Default mode, `helm upgrade` to a new image under a read and write load: every API pod rolls,
// MySQL and Redis keep running, not one request fails (not even a 503), and every user stored
// before the upgrade is still there, unchanged.
import { expect, test } from "bun:test";
import { waitFor } from "../../src/testing/wait";
import { helm, nodePortUrl, pods, say } from "./lib/cluster";
import {
  API,
  buildImage,
  CHART,
  defaultImage,
  imagesOf,
  MYSQL,
  NS,
  REDIS,
  RELEASE,
} from "./lib/defaults";
import { drill } from "./lib/drill";
import { storedUsers } from "./lib/users-load";

test("helm upgrade to a new image under load: 0 failed requests, the data kept", async () => {
  const image = await defaultImage();
  const next = `${image}-upgrade`; // the same build under a new tag: every API pod rolls
  await buildImage(next);
  const base = await nodePortUrl(NS, "demo-users");
  const stored = await storedUsers(base);
  const servers = async () =>
    (await pods(NS, MYSQL)).concat(await pods(NS, REDIS)).map((p) => p.metadata.uid);
  const serversBefore = await servers();
  let rolled = 0;
  const counts = await drill(
    "upgrade",
    async () => {
      await helm([
        "upgrade",
        RELEASE,
        CHART,
        "--namespace",
        NS,
        "--set",
        `global.image.tag=${next.split(":").pop()}`,
        "--wait",
        "--timeout",
        "10m",
      ]);
      // Until the old API pods have drained and exited, they still answer.
      await waitFor(
        "only new API pods",
        async () => {
          const all = await pods(NS, API);
          rolled = all.length;
          return all.every((p) => p.spec.containers[0].image === next);
        },
        300_000,
        1000,
      );
    },
    { sameApiPods: false },
  );
  expect(counts.status["503"] ?? 0).toBe(0);
  expect(counts.unknownWrites).toBe(0);
  expect(await imagesOf(API)).toEqual([next]);
  expect(await servers()).toEqual(serversBefore);
  const after = await storedUsers(base);
  const missing = [...stored]
    .filter(([id, u]) => JSON.stringify(after.get(id)) !== JSON.stringify(u))
    .map(([id]) => id);
  expect(missing).toEqual([]);
  say(
    `ok: ${rolled} API pods rolled to ${next}; ${stored.size} users stored before, all there unchanged; MySQL and Redis pods kept`,
  );
});
