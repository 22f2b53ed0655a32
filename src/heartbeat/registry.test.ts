// The failure detector, driven by a fake clock: every assertion is about exact times.
import { describe, expect, test } from "bun:test";
import { recordingLogger } from "../testing/logger";
import type { Heartbeat, MetricsReport } from "./protocol";
import { type ClientEvent, Registry, type RegistryOptions } from "./registry";

/** A registry on a fake clock, with its logs and events recorded. */
function setup(options: Partial<RegistryOptions> = {}) {
  const clock = { t: 0 };
  const events: ClientEvent[] = [];
  const log = recordingLogger(() => clock.t);
  const logs = log.entries;
  const registry = new Registry({
    intervalMs: 1000,
    now: () => clock.t,
    log,
    onEvent: (event) => events.push(event),
    ...options,
  });
  const seq = new Map<string, number>();
  const beat = (clientId = "a", extra: Partial<Heartbeat> = {}) => {
    const next = (seq.get(clientId) ?? 0) + 1;
    seq.set(clientId, next);
    return registry.beat({ clientId, bootId: "boot-1", seq: next, sentAt: clock.t, ...extra });
  };
  /** Moves the clock to `until`, sweeping every `stepMs` like the server's timer. */
  const runUntil = (until: number, stepMs = 10) => {
    while (clock.t < until) {
      clock.t = Math.min(until, clock.t + stepMs);
      registry.sweep();
    }
  };
  const messages = (msg: string) => logs.filter((entry) => entry.msg === msg);
  const state = (clientId = "a") => registry.clients.get(clientId)?.state;
  return { clock, logs, events, registry, beat, runUntil, messages, state };
}

describe("heartbeat failure detector", () => {
  test("a client goes LATE at the first missed beat and LOST exactly at the third", () => {
    const { clock, beat, runUntil, registry, messages, state } = setup();
    for (const at of [0, 1000, 2000]) {
      runUntil(at);
      beat();
    }
    // Beat k is missed once a quarter interval overdue: at 3250, 4250 and 5250.
    runUntil(3249, 1);
    expect(state()).toBe("UP");
    runUntil(3250, 1);
    expect(state()).toBe("LATE");
    expect(registry.clients.get("a")?.missed).toBe(1);
    runUntil(4250, 1);
    expect(registry.clients.get("a")?.missed).toBe(2);
    runUntil(5249, 1);
    expect(state()).toBe("LATE");
    runUntil(5250, 1);
    expect(state()).toBe("LOST");
    const [lost] = messages("client lost");
    expect(lost).toMatchObject({
      at: 5250,
      level: "warn",
      fields: {
        clientId: "a",
        missed: 3,
        silentSeconds: 3.25,
        lastSeen: new Date(2000).toISOString(),
      },
    });
    expect(clock.t).toBe(5250);
  });

  test("the LOST log is repeated every 10 s until the client returns", () => {
    const { beat, runUntil, messages, events } = setup();
    beat();
    runUntil(40_000, 100);
    expect(messages("client lost").map((entry) => entry.at)).toEqual([3300]);
    // 3250 rounded up to the 100 ms sweep; then every 10 s from there.
    expect(messages("client still lost").map((entry) => entry.at)).toEqual([
      13_300, 23_300, 33_300,
    ]);
    expect(events.filter((event) => event === "lost")).toHaveLength(1);
  });

  test("after a stall longer than the repeat period, the next repeat is a period later, not a sweep later", () => {
    const { beat, runUntil, messages, clock, registry } = setup();
    beat();
    runUntil(14_000, 250); // lost at 3250, repeated at 13250
    clock.t = 40_000; // the process stalled 26 s: two repeats were due meanwhile
    registry.sweep();
    runUntil(60_000, 250);
    expect(messages("client still lost").map((entry) => entry.at)).toEqual([
      13_250, 40_000, 50_000, 60_000,
    ]);
  });

  test("a goodbye makes the client LEFT: never LOST, never repeated, counted once", () => {
    const { beat, runUntil, messages, registry, events, state } = setup();
    beat();
    runUntil(500);
    expect(registry.leave({ clientId: "a", bootId: "boot-1", sentAt: 500 })).toEqual({
      clientId: "a",
      state: "LEFT",
      event: "left",
    });
    expect(registry.leave({ clientId: "a", bootId: "boot-1", sentAt: 510 }).event).toBe("left");
    runUntil(60_000, 100);
    expect(state()).toBe("LEFT");
    expect(registry.clients.get("a")?.missed).toBe(0);
    expect(messages("client left")).toHaveLength(1);
    expect(messages("client lost")).toEqual([]);
    expect(messages("client still lost")).toEqual([]);
    expect(events).toEqual(["registered", "left"]);
  });

  test("a LEFT client that comes back (a redeployed pod) is a reconnection, restart told apart", () => {
    const { beat, runUntil, messages, registry, state } = setup();
    beat();
    runUntil(500);
    registry.leave({ clientId: "a", bootId: "boot-1", sentAt: 500 });
    runUntil(4_500, 100);
    expect(beat("a", { bootId: "boot-2", seq: 1 }).event).toBe("reconnected");
    expect(state()).toBe("UP");
    expect(messages("client reconnected").map((entry) => entry.fields)).toEqual([
      { clientId: "a", downtimeSeconds: 4, missed: 0, restarted: true, was: "LEFT" },
    ]);
    expect(registry.clients.get("a")?.restarts).toBe(1);
  });

  test("a goodbye from another boot (a replaced pod's, late) or an unknown client is ignored", () => {
    const { beat, registry, state, messages } = setup();
    beat("a", { bootId: "boot-2" });
    expect(registry.leave({ clientId: "a", bootId: "boot-1", sentAt: 0 })).toEqual({
      clientId: "a",
      state: "UP",
      event: "ignored",
    });
    expect(registry.leave({ clientId: "b", bootId: "boot-1", sentAt: 0 }).state).toBeNull();
    expect(state()).toBe("UP");
    expect(messages("client left")).toEqual([]);
  });

  test("a LEFT client is forgotten after forgetAfterMs like a LOST one", () => {
    const { beat, runUntil, registry, messages } = setup({ forgetAfterMs: 60_000 });
    beat();
    registry.leave({ clientId: "a", bootId: "boot-1", sentAt: 0 });
    runUntil(59_900, 100);
    expect(registry.clients.has("a")).toBe(true);
    runUntil(60_000, 100);
    expect(registry.clients.has("a")).toBe(false);
    expect(messages("client forgotten")[0]?.fields).toMatchObject({ clientId: "a", state: "LEFT" });
  });

  test("a LOST client's next beat is a reconnection with its downtime", () => {
    const { beat, runUntil, messages, state, logs } = setup();
    beat();
    runUntil(20_000, 100);
    expect(state()).toBe("LOST");
    expect(beat().event).toBe("reconnected");
    expect(state()).toBe("UP");
    expect(messages("client reconnected")).toEqual([
      {
        at: 20_000,
        level: "info",
        msg: "client reconnected",
        fields: { clientId: "a", downtimeSeconds: 20, missed: 19, restarted: false, was: "LOST" },
      },
    ]);
    const before = logs.length;
    runUntil(20_900, 100);
    expect(logs.slice(before)).toEqual([]);
  });

  test("a new boot id is a restart, not a loss", () => {
    const { beat, runUntil, messages, registry, events } = setup();
    beat();
    runUntil(1500);
    expect(beat("a", { bootId: "boot-2", seq: 1 }).event).toBe("restarted");
    runUntil(2000);
    beat("a", { bootId: "boot-2", seq: 2 });
    runUntil(2500);
    expect(messages("client restarted")).toEqual([
      {
        at: 1500,
        level: "info",
        msg: "client restarted",
        fields: { clientId: "a", downtimeSeconds: 1.5, previousBootId: "boot-1", bootId: "boot-2" },
      },
    ]);
    expect(messages("client lost")).toEqual([]);
    expect(registry.clients.get("a")).toMatchObject({ state: "UP", restarts: 1, seq: 2 });
    expect(events).toEqual(["registered", "late", "restarted"]);
  });

  test("a client that comes back from LOST with a new boot id is a reconnection and a restart", () => {
    const { beat, runUntil, messages } = setup();
    beat();
    runUntil(8000, 100);
    expect(beat("a", { bootId: "boot-2", seq: 1 }).event).toBe("reconnected");
    expect(messages("client reconnected")[0]?.fields).toMatchObject({
      downtimeSeconds: 8,
      restarted: true,
    });
  });

  /** 2,000 beats whose send times come from `next(previous send, beat number, random)`. */
  const jittered = (next: (previous: number, n: number, random: () => number) => number) => {
    const { beat, runUntil, events } = setup();
    const random = seeded(42);
    let at = 0;
    for (let n = 1; n <= 2000; n++) {
      runUntil(at, 50);
      beat();
      at = next(at, n, random);
    }
    return events;
  };

  test("no false LOST, not even LATE, when each interval varies by +-20 %", () => {
    const events = jittered((previous, _, random) => previous + 800 + 400 * random());
    expect(events).toEqual(["registered"]);
  });

  test("no false LOST when each send time is +-20 % off its schedule", () => {
    // Gaps of up to 1.4 intervals: a beat may look LATE, never LOST.
    const events = jittered((_, n, random) => (n + 1) * 1000 + (random() - 0.5) * 400);
    expect(events.filter((event) => event === "lost")).toEqual([]);
  });

  test("after a server start nobody is declared LOST before three server intervals", () => {
    const { beat, runUntil, state, messages } = setup();
    // A client beating every 0.2 s would be LOST 0.65 s after its last beat...
    beat("a", { intervalSeconds: 0.2 });
    runUntil(2999, 1);
    expect(state()).toBe("LATE");
    // ...but the grace lasts 3 x the server's 1 s interval.
    runUntil(3000, 1);
    expect(state()).toBe("LOST");
    // After the grace the client's own interval rules: LOST 0.65 s after its beat.
    beat("a", { intervalSeconds: 0.2 });
    runUntil(3649, 1);
    expect(state()).toBe("LATE");
    runUntil(3650, 1);
    expect(state()).toBe("LOST");
    expect(messages("client lost").map((entry) => entry.at)).toEqual([3000, 3650]);
  });

  test("a client silent for forgetAfterMs is forgotten, and its change is told", () => {
    const changed: string[] = [];
    const { beat, runUntil, registry, messages, events } = setup({
      forgetAfterMs: 60_000,
      onChange: (id) => changed.push(id),
    });
    beat();
    runUntil(59_900, 100);
    expect(registry.clients.has("a")).toBe(true);
    changed.length = 0;
    runUntil(60_000, 100);
    expect(registry.clients.has("a")).toBe(false);
    expect(changed).toEqual(["a"]);
    expect(messages("client forgotten")).toHaveLength(1);
    expect(events.at(-1)).toBe("forgotten");
  });

  test("a metrics report proves a client alive and fills its history", () => {
    const { clock, registry, runUntil, state, beat } = setup();
    beat();
    runUntil(2500);
    expect(state()).toBe("LATE");
    registry.report(report({ clientId: "a", bootId: "boot-1", cpu: 12.5 }));
    expect(state()).toBe("UP");
    clock.t = 3000;
    registry.report(report({ clientId: "a", bootId: "boot-1", cpu: 50 }));
    const client = registry.clients.get("a");
    expect(client?.metrics?.node.cpuPercent).toBe(50);
    expect(client?.history.toRows()).toEqual([
      {
        at: 2500,
        nodeCpuPercent: 12.5,
        nodeMemoryPercent: 25,
        containerCpuPercent: 1.5,
        containerMemoryBytes: null,
      },
      {
        at: 3000,
        nodeCpuPercent: 50,
        nodeMemoryPercent: 25,
        containerCpuPercent: 1.5,
        containerMemoryBytes: null,
      },
    ]);
  });

  test("a metrics report from an unknown client registers it", () => {
    const { registry, messages } = setup();
    registry.report(report({ clientId: "b", bootId: "x", cpu: 1 }));
    expect(registry.clients.get("b")).toMatchObject({ state: "UP", intervalMs: 1000 });
    expect(messages("client registered")).toHaveLength(1);
  });

  test("one sweep judges many clients independently", () => {
    const { beat, runUntil, registry } = setup();
    for (let i = 0; i < 1000; i++) beat(`c${i}`);
    runUntil(1000);
    for (let i = 0; i < 500; i++) beat(`c${i}`);
    runUntil(4000, 100);
    const states = [...registry.clients.values()].map((client) => client.state);
    expect(states.filter((s) => s === "UP")).toHaveLength(0);
    expect(states.filter((s) => s === "LATE")).toHaveLength(500);
    expect(states.filter((s) => s === "LOST")).toHaveLength(500);
  });
});

function report({
  clientId,
  bootId,
  cpu,
}: {
  clientId: string;
  bootId: string;
  cpu: number;
}): MetricsReport {
  return {
    clientId,
    bootId,
    sentAt: 0,
    node: { cpuPercent: cpu, memoryUsedBytes: 1024, memoryTotalBytes: 4096 },
    container: { cgroup: "v2", cpuPercent: 1.5, memoryBytes: null, memoryLimitBytes: null },
  };
}

/** A small deterministic PRNG (mulberry32), so jitter runs are reproducible. */
function seeded(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
