// One drill of the default mode: the users load runs while something happens to the release,
// then every answer is judged and every write read back (lib/users-load.ts).
import { expect } from "bun:test";
import { waitFor } from "../../../src/testing/wait";
import { nodePortUrl, pods, ready, say } from "./cluster";
import { apiPods, NS } from "./defaults";
import { type UsersLoadCounts, usersLoad, verifyLedger } from "./users-load";

export async function drill(
  name: string,
  during: (load: Readonly<UsersLoadCounts>) => Promise<void>,
  { sameApiPods = true } = {},
) {
  const base = await nodePortUrl(NS, "demo-users");
  const before = await apiPods();
  const prefix = `${name}-${Date.now().toString(36)}`;
  const stop = new AbortController();
  const load = usersLoad(base, { workers: 4, prefix, signal: stop.signal });
  try {
    await waitFor(
      "20 acknowledged writes before the drill",
      () => load.counts.acknowledgedWrites >= 20,
      60_000,
      100,
    );
    await during(load.counts);
  } finally {
    stop.abort();
  }
  const counts = await load.done;
  const check = await verifyLedger(base, load.ledger, prefix);
  say(
    `${name}: ${counts.requests} requests ${JSON.stringify(counts.status)}, reads ${JSON.stringify(counts.cache)}; ` +
      `${counts.acknowledgedWrites} acknowledged writes, ${counts.unknownWrites} answered 503 ` +
      `(${check.unknownApplied} of those applied anyway); read back: ${check.kept} kept, lost: ${check.lost.length}, ` +
      `stale in the cache: ${check.staleCache.length}; stale reads: ${counts.staleReads}; ` +
      `failed (5xx other than 503, no answer, unexpected): ${counts.failed}`,
  );
  expect({ errors: counts.errors, lost: check.lost, staleCache: check.staleCache }).toEqual({
    errors: [],
    lost: [],
    staleCache: [],
  });
  expect(counts.failed).toBe(0);
  expect(counts.staleReads).toBe(0);
  // The API rode it out: the same pods, none restarted (unless the drill rolls them).
  if (sameApiPods) expect(await apiPods()).toEqual(before);
  return counts;
}

/** Deletes the one pod matching the selector and waits for its replacement to be Ready. */
export async function replacePod(selector: string, deleted: () => Promise<void>) {
  const [old] = await pods(NS, selector);
  if (!old) throw new Error(`no pod ${selector} in ${NS}`);
  await deleted();
  await waitFor(
    `a new Ready pod ${selector}`,
    async () =>
      (await pods(NS, selector)).some(
        (p) => p.metadata.uid !== old.metadata.uid && !p.metadata.deletionTimestamp && ready(p),
      ),
    300_000,
    1000,
  );
  return old.metadata.name;
}
