// heartbeat: every client rolled out (kubectl rollout restart of the StatefulSet). Each says
// goodbye and comes back under its own id (the pod name): logged reconnected with was=LEFT, never
// lost and never registered anew, and the pods' names do not change. A client id that did not
// survive a rollout would make every upgrade look like lost nodes and new ones.
import { expect, test } from "bun:test";
import { kubectl, say } from "./lib/cluster";
import { clients, logged, podNames, shown, waitLogged } from "./lib/heartbeat";
import { ns } from "./lib/release";

test("after a client rollout every client reconnects under its own id", async () => {
  const since = new Date();
  const ids = await podNames(clients);
  expect(ids).not.toEqual([]);
  await kubectl(["-n", ns, "rollout", "restart", "statefulset/demo-heartbeat-client"]);
  await kubectl([
    "-n",
    ns,
    "rollout",
    "status",
    "statefulset/demo-heartbeat-client",
    "--timeout=180s",
  ]);
  for (const id of ids) {
    const back = await waitLogged(since, "client reconnected", id);
    say(shown(back));
    expect(back.was).toBe("LEFT");
    expect(await logged(since, "client lost", id)).toEqual([]);
    expect(await logged(since, "client registered", id)).toEqual([]);
  }
  expect(await podNames(clients)).toEqual(ids);
});
