// Default mode, the MySQL pod deleted under a read and write load: while it is gone the API
// answers 503 "database unavailable" (never a 500, never a refused connection: its pods stay
// Ready), it recovers by itself when the StatefulSet's new pod is up on the same volume, and
// every acknowledged write is still there; a write answered 503 may have been applied, and
// then the cache agrees with the database.
import { expect, test } from "bun:test";
import { waitFor } from "../../src/testing/wait";
import { kubectl, say } from "./lib/cluster";
import { MYSQL, NS } from "./lib/defaults";
import { drill, replacePod } from "./lib/drill";

test("MySQL deleted under load: 503 while it is gone, back by itself, no acknowledged write lost", async () => {
  const counts = await drill("mysql", async (load) => {
    const started = Date.now();
    const pod = await replacePod(MYSQL, async () => {
      await kubectl(["delete", "pod", "-n", NS, "-l", MYSQL, "--wait=false"]);
      await waitFor(
        "a 503 database unavailable",
        () => (load.status["503"] ?? 0) > 0,
        120_000,
        100,
      );
    });
    say(
      `${pod} deleted; its replacement Ready after ${Math.round((Date.now() - started) / 1000)} s`,
    );
    const acknowledged = load.acknowledgedWrites;
    await waitFor(
      "writes acknowledged again",
      () => load.acknowledgedWrites >= acknowledged + 20,
      180_000,
      100,
    );
  });
  expect(counts.status["503"]).toBeGreaterThan(0);
});
