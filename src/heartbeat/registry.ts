// The failure detector: what the server knows about each client, judged by one sweep over
// all of them (never a timer per client). Time comes from an injected clock, so tests can
// drive it beat by beat.
//
// Beat k after the last one is due at lastSeen + k x interval and counts as missed once it
// is a quarter interval overdue, so +-20 % jitter never counts as a miss:
//   UP    no beat missed
//   LATE  one or two beats missed
//   LOST  three consecutive beats missed (3.25 intervals of silence): logged, then logged
//         again every `lostRepeatMs` until the client returns or is forgotten
//   LEFT  said goodbye: stopped on purpose
// A LOST or LEFT client's next beat brings it back UP, logged as a reconnection with its downtime.
// A new boot id is a restart: logged as one, never as a loss. For three server intervals
// after the server starts nobody is declared LOST (the grace a restarted server gives).
// A client that says goodbye (SIGTERM: scale down, uninstall, or the old pod of a rollout)
// is LEFT: never LOST, never repeated; if the same id comes back it is a reconnection.
// A client silent for `forgetAfterMs` is forgotten: gone from /clients, the dashboard and
// the Prometheus series.

import type { Logger } from "../lib/log";
import { History } from "./history";
import {
  type Goodbye,
  type GoodbyeAck,
  type Heartbeat,
  type HeartbeatAck,
  type MetricsReport,
  round2,
} from "./protocol";

export type State = "UP" | "LATE" | "LOST" | "LEFT";
export const STATES: readonly State[] = ["UP", "LATE", "LOST", "LEFT"];
export type ClientEvent =
  | "registered"
  | "late"
  | "lost"
  | "reconnected"
  | "restarted"
  | "left"
  | "forgotten";

/** Milliseconds since the epoch; the server's is monotonic (see `monotonicNow`). */
export type Clock = () => number;

/** Whole epoch milliseconds that never jump with NTP: detection must not see a time warp. */
const origin = performance.timeOrigin; // read once: the getter is slow on the hot path
export const monotonicNow: Clock = () => Math.floor(origin + performance.now());

/** Beats missed after `ageMs` of silence: beat k counts once it is a quarter interval late. */
export const missedBeats = (ageMs: number, intervalMs: number) =>
  Math.max(0, Math.floor((ageMs - intervalMs / 4) / intervalMs));

export const LOST_AFTER_MISSED = 3;

export const HISTORY_FIELDS = [
  "at",
  "nodeCpuPercent",
  "nodeMemoryPercent",
  "containerCpuPercent",
  "containerMemoryBytes",
] as const;

export interface Client {
  id: string;
  node: string | undefined;
  bootId: string;
  seq: number;
  intervalMs: number;
  state: State;
  missed: number;
  firstSeen: number;
  lastSeen: number;
  stateSince: number;
  nextLostLogAt: number;
  lostCount: number;
  restarts: number;
  metrics: (MetricsReport & { receivedAt: number }) | undefined;
  history: History<typeof HISTORY_FIELDS>;
}

export interface RegistryOptions {
  /** The server's interval: for clients that announce none, and the startup grace. */
  intervalMs: number;
  lostRepeatMs?: number;
  forgetAfterMs?: number;
  historySize?: number;
  now?: Clock;
  log: Logger;
  /** Told of every client that changed (or was forgotten), for the dashboard stream. */
  onChange?: (clientId: string) => void;
  /** Told of every transition worth counting, for Prometheus. */
  onEvent?: (event: ClientEvent) => void;
}

/** The durable part of a client: what the Redis store saves and shares between replicas. */
export type ClientRecord = Omit<Client, "history">;

export class Registry {
  readonly clients = new Map<string, Client>();
  readonly startedAt: number;
  /** Nobody is declared LOST before this: the start, or a store back from an outage. */
  noLostBefore: number;
  /**
   * Set by a shared store: resolves true on the one replica that tells a transition. The
   * claim must end within `atMostMs`, or a client forgotten and back would go untold.
   */
  claim: ((key: string, atMostMs: number) => Promise<boolean>) | undefined;
  readonly now: Clock;
  private readonly options: Required<Omit<RegistryOptions, "now" | "log">> & { log: Logger };

  constructor({ now = monotonicNow, ...options }: RegistryOptions) {
    this.now = now;
    this.startedAt = now();
    this.noLostBefore = this.startedAt + LOST_AFTER_MISSED * options.intervalMs;
    this.options = {
      lostRepeatMs: 10_000,
      forgetAfterMs: 600_000,
      historySize: 30,
      onChange: () => {},
      onEvent: () => {},
      ...options,
    };
  }

  /** Records a heartbeat; the answer says what it meant (new client, return, restart). */
  beat(beat: Heartbeat): HeartbeatAck {
    const { client, event } = this.seen(beat.clientId, beat.bootId, beat.intervalSeconds);
    client.seq = Math.max(client.seq, beat.seq);
    if (beat.node) client.node = beat.node;
    return { clientId: client.id, seq: beat.seq, state: "UP", event };
  }

  /**
   * Records a goodbye: the client is LEFT (stopped on purpose), not LOST. A goodbye from an
   * older boot than the one the server knows (a replaced pod's, arriving late) is ignored.
   */
  leave(goodbye: Goodbye): GoodbyeAck {
    const client = this.clients.get(goodbye.clientId);
    if (!client || client.bootId !== goodbye.bootId) {
      this.options.log.debug("goodbye ignored", {
        clientId: goodbye.clientId,
        bootId: goodbye.bootId,
        known: client ? "other boot" : "unknown client",
      });
      return { clientId: goodbye.clientId, state: client?.state ?? null, event: "ignored" };
    }
    const now = this.now();
    if (client.state !== "LEFT") {
      client.lastSeen = now;
      client.missed = 0;
      this.enter(client, "LEFT", now);
      this.options.log.info("client left", {
        clientId: client.id,
        node: client.node,
        bootId: client.bootId,
      });
      this.emit("left", client);
    }
    return { clientId: client.id, state: "LEFT", event: "left" };
  }

  /** Records a CPU/memory report; it proves the client alive as a heartbeat does. */
  report(report: MetricsReport) {
    const { client } = this.seen(report.clientId, report.bootId, undefined);
    client.metrics = { ...report, receivedAt: client.lastSeen };
    pushHistory(client);
  }

  /** A client's durable part, for the store. */
  toRecord(client: Client): ClientRecord {
    const { history: _, ...record } = client;
    return record;
  }

  /**
   * Applies a record that another replica wrote (or the store kept over a restart), silently:
   * the replica that saw the change logged and counted it. A record older than what this
   * replica knows (an earlier last-seen, or the same with an earlier transition) is ignored.
   */
  applyRecord(record: ClientRecord) {
    const local = this.clients.get(record.id);
    if (
      local &&
      (record.lastSeen < local.lastSeen ||
        (record.lastSeen === local.lastSeen && record.stateSince < local.stateSince))
    )
      return false;
    const newMetrics = record.metrics && record.metrics.receivedAt !== local?.metrics?.receivedAt;
    const client =
      local ?? this.create(record.id, record.bootId, record.intervalMs, record.firstSeen);
    Object.assign(client, record);
    if (newMetrics) pushHistory(client);
    this.options.onChange(client.id);
    return true;
  }

  /** Removes a client another replica forgot, silently. */
  dropRecord(id: string) {
    if (this.clients.delete(id)) this.options.onChange(id);
  }

  /** One pass over every client: counts missed beats, declares LOST, repeats, forgets. */
  sweep() {
    const now = this.now();
    const { log, lostRepeatMs, forgetAfterMs } = this.options;
    const graceOver = now >= this.noLostBefore;
    for (const client of this.clients.values()) {
      const silentMs = now - client.lastSeen;
      if (client.state === "LEFT") {
        // Gone on purpose: no beats are due, only forgetting.
        if (silentMs >= forgetAfterMs) this.forget(client, now);
        continue;
      }
      const missed = missedBeats(silentMs, client.intervalMs);
      if (missed !== client.missed) {
        client.missed = missed;
        this.options.onChange(client.id);
      }
      if (client.state === "LOST") {
        if (silentMs >= forgetAfterMs) this.forget(client, now);
        else if (now >= client.nextLostLogAt) {
          log.warn("client still lost", this.describe(client, now));
          client.nextLostLogAt = nextRepeat(client.nextLostLogAt, lostRepeatMs, now);
          this.options.onChange(client.id); // another sweeper taking over must know it
        }
      } else if (missed >= LOST_AFTER_MISSED && graceOver) {
        this.enter(client, "LOST", now);
        client.lostCount += 1;
        client.nextLostLogAt = now + lostRepeatMs;
        log.warn("client lost", this.describe(client, now));
        this.emit("lost", client);
      } else if (missed >= 1 && client.state === "UP") {
        this.enter(client, "LATE", now);
        log.debug("client late", this.describe(client, now));
        this.emit("late", client);
      }
    }
  }

  /** Marks a client alive now; registers it, or tells a return or a restart apart. */
  private seen(id: string, bootId: string, intervalSeconds: number | undefined) {
    const now = this.now();
    const intervalMs = intervalSeconds ? intervalSeconds * 1000 : this.options.intervalMs;
    let client = this.clients.get(id);
    let event: HeartbeatAck["event"] = "beat";
    if (!client) {
      client = this.create(id, bootId, intervalMs, now);
      event = "registered";
      this.announce(event, client, bootId, {
        clientId: id,
        bootId,
        intervalSeconds: intervalMs / 1000,
      });
    } else {
      const downtimeSeconds = round2((now - client.lastSeen) / 1000);
      const restarted = bootId !== client.bootId;
      if (client.state === "LOST" || client.state === "LEFT") {
        event = "reconnected";
        this.announce(event, client, `${client.stateSince}`, {
          clientId: id,
          downtimeSeconds,
          missed: client.state === "LOST" ? client.missed : 0,
          restarted,
          was: client.state,
        });
      } else if (restarted) {
        event = "restarted";
        this.announce(event, client, bootId, {
          clientId: id,
          downtimeSeconds,
          previousBootId: client.bootId,
          bootId,
        });
      }
      if (restarted) {
        client.restarts += 1;
        client.bootId = bootId;
        client.seq = 0;
      }
      if (client.state !== "UP") this.enter(client, "UP", now);
    }
    if (intervalSeconds) client.intervalMs = intervalMs;
    client.lastSeen = now;
    client.missed = 0;
    this.options.onChange(id);
    return { client, event };
  }

  /**
   * Logs and counts what a beat revealed. With a shared store, two replicas may take the
   * same client's beats before either has the other's record (a thawed node's client): only
   * the one that claims `<id>:<event>:<episode>` first tells it, so it is logged once.
   */
  private announce(
    event: "registered" | "reconnected" | "restarted",
    client: Client,
    episode: string,
    fields: Record<string, unknown>,
  ) {
    const { log } = this.options;
    const tell = () => {
      log.info(`client ${event}`, fields);
      this.emit(event, client);
    };
    if (!this.claim) return tell();
    this.claim(`${client.id}:${event}:${episode}`, this.options.forgetAfterMs).then((first) => {
      if (first) tell();
      else log.debug(`client ${event}: logged by another replica`, fields);
    });
  }

  private create(id: string, bootId: string, intervalMs: number, now: number): Client {
    const client: Client = {
      id,
      node: undefined,
      bootId,
      seq: 0,
      intervalMs,
      state: "UP",
      missed: 0,
      firstSeen: now,
      lastSeen: now,
      stateSince: now,
      nextLostLogAt: 0,
      lostCount: 0,
      restarts: 0,
      metrics: undefined,
      history: new History(HISTORY_FIELDS, this.options.historySize),
    };
    this.clients.set(id, client);
    return client;
  }

  private forget(client: Client, now: number) {
    this.clients.delete(client.id);
    const { forgetAfterMs, log } = this.options;
    log.info("client forgotten", {
      ...this.describe(client, now),
      state: client.state,
      forgetAfterMs,
    });
    this.emit("forgotten", client);
  }

  private enter(client: Client, state: State, now: number) {
    client.state = state;
    client.stateSince = now;
    this.options.onChange(client.id);
  }

  private emit(event: ClientEvent, client: Client) {
    this.options.onEvent(event);
    if (event === "forgotten") this.options.onChange(client.id);
  }

  /** The log fields of a LOST client: who, since when, and what it last reported. */
  private describe(client: Client, now: number) {
    const metrics = client.metrics;
    return {
      clientId: client.id,
      node: client.node,
      lastSeen: new Date(client.lastSeen).toISOString(),
      silentSeconds: round2((now - client.lastSeen) / 1000),
      missed: client.missed,
      lastMetrics: metrics && {
        reportedAt: new Date(metrics.receivedAt).toISOString(),
        nodeCpuPercent: round2(metrics.node.cpuPercent),
        nodeMemoryUsedBytes: metrics.node.memoryUsedBytes,
        containerCpuPercent: metrics.container.cpuPercent && round2(metrics.container.cpuPercent),
        containerMemoryBytes: metrics.container.memoryBytes,
      },
    };
  }
}

/** Appends the client's latest metrics to its history. */
function pushHistory(client: Client) {
  const metrics = client.metrics;
  if (!metrics) return;
  const { node, container } = metrics;
  client.history.push([
    metrics.receivedAt,
    node.cpuPercent,
    node.memoryTotalBytes > 0 ? (100 * node.memoryUsedBytes) / node.memoryTotalBytes : Number.NaN,
    container.cpuPercent ?? Number.NaN,
    container.memoryBytes ?? Number.NaN,
  ]);
}

/**
 * When a LOST client is next logged again: one repeat period after the last one, or, if
 * the sweep fell further behind than that (a stalled process), one period from now: never
 * a second line a sweep later to catch up.
 */
export const nextRepeat = (due: number, repeatMs: number, now: number) =>
  due + repeatMs > now ? due + repeatMs : now + repeatMs;

/** A client as `GET /clients` and the dashboard show it. */
export function clientView(client: Client, now: number, withHistory = false) {
  const metrics = client.metrics;
  return {
    clientId: client.id,
    node: client.node ?? null,
    state: client.state,
    lastSeen: new Date(client.lastSeen).toISOString(),
    lastSeenAgeSeconds: round2((now - client.lastSeen) / 1000),
    missed: client.missed,
    intervalSeconds: client.intervalMs / 1000,
    stateSince: new Date(client.stateSince).toISOString(),
    bootId: client.bootId,
    seq: client.seq,
    lostCount: client.lostCount,
    restarts: client.restarts,
    metrics: metrics
      ? {
          receivedAt: new Date(metrics.receivedAt).toISOString(),
          node: metrics.node,
          container: metrics.container,
        }
      : null,
    ...(withHistory ? { history: client.history.toRows() } : {}),
  };
}
export type ClientView = ReturnType<typeof clientView>;
