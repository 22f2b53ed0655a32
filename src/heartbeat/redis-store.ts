// The Redis store (HEARTBEAT_STORE=redis): every replica keeps the whole registry in memory
// (beats never wait for Redis) and shares what changed through Redis:
//   <prefix>clients   hash, client id -> its record (JSON): state, last seen, lost count...
//                     read back at start, so a restarted server knows every client, the
//                     LOST ones and those that died while it was down
//   <prefix>changes   pub/sub channel: the records a replica changed, every FLUSH_MS, so
//                     every replica (and its dashboard stream) sees every client
//   <prefix>sweeper   the lease (SET NX PX, renewed by its holder): only its holder judges
//                     clients, so each LOST and each repeat is logged and counted once; a
//                     dead holder's lease expires and another replica takes it over
//   <prefix>told:<id>:<event>:<episode>
//                     SET NX PX: a registration, return or restart that two replicas saw
//                     at once (before either had the other's record) is logged by one
// Redis down: beats are still taken (changes wait, coalesced per client), the server says
// it is degraded, and nobody is judged: a client beating on another replica would look
// silent here. Back, a replica republishes all it knows (Redis may have lost it) and waits
// three intervals before anyone may be declared LOST again.
import { randomUUID } from "node:crypto";
import { Redis, type RedisOptions } from "ioredis";
import { Counter, Gauge, register } from "prom-client";
import type { Logger } from "../lib/log";
import { Outage } from "../lib/outage";
import { type ClientRecord, LOST_AFTER_MISSED, type Registry } from "./registry";

const FLUSH_MS = 100;
const LEASE_MS = 3_000;
const LEASE_RENEW_MS = 1_000;
// How long a told transition stays claimed: far longer than a record takes to reach every
// replica (the registry shortens it to its forget-after, so a forgotten client's return
// registers anew).
const TOLD_MS = 60_000;
// Renews the lease only if this replica still holds it.
const RENEW = `if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("PEXPIRE", KEYS[1], ARGV[2]) else return 0 end`;

export interface RedisStoreOptions {
  url: string;
  prefix: string;
  log: Logger;
  /** The server's interval: the pause before judging again after an outage. */
  intervalMs: number;
  signal: AbortSignal;
}

interface Change {
  from: string;
  records: ClientRecord[];
  removed: string[];
}

const METRICS = ["heartbeat_store_degraded", "heartbeat_sweeper", "heartbeat_store_errors_total"];

export function createRedisStore(registry: Registry, options: RedisStoreOptions) {
  const { prefix, log, signal } = options;
  const replica = randomUUID();
  const keys = { clients: `${prefix}clients`, lease: `${prefix}sweeper` };
  const channel = `${prefix}changes`;
  const settings: RedisOptions = {
    // Fail at once when disconnected: the changes wait in `dirty`, not in ioredis's queue.
    enableOfflineQueue: false,
    commandTimeout: 2_000,
    maxRetriesPerRequest: 0,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  };
  const redis = new Redis(options.url, { ...settings, lazyConnect: true });
  const subscriber = new Redis(options.url, { ...settings, lazyConnect: true });
  const outage = new Outage(log, {
    down: "redis store unreachable: beats are kept here, nobody is declared LOST meanwhile",
    up: "redis store is back: changes shared again",
  });

  const dirty = new Set<string>();
  let applying = false;
  let loaded = false;
  let degraded = true; // until Redis first answers a write, after the first load
  let leaseUntil = 0; // performance.now() up to which this replica may sweep
  let sweeping = false; // what the last lease attempt said
  let closed = false; // stopped on purpose: its connections closing are no outage
  /** Whether this replica holds the sweeper lease: what /healthz and the metrics both say. */
  const holdsLease = () => performance.now() < leaseUntil;

  // Read when scraped, from the same state as /healthz: a lease that runs out unrenewed
  // during an outage reads 0 in both at once.
  for (const name of METRICS) register.removeSingleMetric(name);
  new Gauge({
    name: "heartbeat_store_degraded",
    help: "1 while the Redis store is unreachable (beats are taken, nobody is declared LOST).",
    collect() {
      this.set(degraded ? 1 : 0);
    },
  });
  new Gauge({
    name: "heartbeat_sweeper",
    help: "1 on the replica that holds the sweeper lease (judges clients), else 0.",
    collect() {
      this.set(holdsLease() ? 1 : 0);
    },
  });
  const errors = new Counter({
    name: "heartbeat_store_errors_total",
    help: "Failed Redis store operations, by operation.",
    labelNames: ["operation"] as const,
  });

  function failed(operation: string, error: unknown) {
    if (closed) return;
    errors.inc({ operation });
    degraded = true;
    outage.failed(error);
  }

  /** Back (or up for the first time): load, republish everything, judge nobody for a while. */
  let resyncing = false;
  async function resync() {
    if (resyncing) return;
    resyncing = true;
    try {
      if (!loaded) {
        const stored = await redis.hgetall(keys.clients);
        applying = true;
        try {
          for (const json of Object.values(stored)) registry.applyRecord(JSON.parse(json));
        } finally {
          applying = false;
        }
        loaded = true;
        log.info("redis store loaded", { clients: Object.keys(stored).length });
      }
      for (const id of registry.clients.keys()) dirty.add(id);
      registry.noLostBefore = Math.max(
        registry.noLostBefore,
        registry.now() + LOST_AFTER_MISSED * options.intervalMs,
      );
      await flush();
    } catch (error) {
      failed("resync", error); // tried again by the next flush tick
    } finally {
      resyncing = false;
    }
  }

  let flushing = false;
  async function flush() {
    if (redis.status !== "ready") return;
    if (!loaded) return resync(); // the read at start failed (a timeout): until it works
    // Nothing changed is nothing to write, unless degraded: then the write (a PING alone if
    // no client changed) is what tells that Redis answers again, without waiting for a beat.
    if (flushing || (dirty.size === 0 && !degraded)) return;
    flushing = true;
    const ids = [...dirty];
    dirty.clear();
    const change: Change = { from: replica, records: [], removed: [] };
    const fields: string[] = [];
    for (const id of ids) {
      const client = registry.clients.get(id);
      if (!client) change.removed.push(id);
      else {
        const record = registry.toRecord(client);
        change.records.push(record);
        fields.push(id, JSON.stringify(record));
      }
    }
    const batch = redis.multi();
    if (fields.length > 0) batch.hset(keys.clients, ...fields);
    if (change.removed.length > 0) batch.hdel(keys.clients, ...change.removed);
    if (ids.length > 0) batch.publish(channel, JSON.stringify(change));
    else batch.ping();
    try {
      await batch.exec();
      if (degraded) {
        degraded = false;
        outage.recovered();
      }
    } catch (error) {
      // Kept for the next flush: a later change of the same client replaces it anyway.
      for (const id of ids) dirty.add(id);
      failed("flush", error);
    } finally {
      flushing = false;
    }
  }

  function receive(from: string, message: string) {
    if (from !== channel) return;
    let change: Change;
    try {
      change = JSON.parse(message);
    } catch {
      return;
    }
    if (change.from === replica) return;
    applying = true;
    try {
      for (const record of change.records) registry.applyRecord(record);
      for (const id of change.removed) registry.dropRecord(id);
    } finally {
      applying = false;
    }
  }

  async function renewLease() {
    if (redis.status !== "ready") return;
    const started = performance.now();
    try {
      const held =
        leaseUntil > 0
          ? (await redis.eval(RENEW, 1, keys.lease, replica, LEASE_MS)) === 1
          : (await redis.set(keys.lease, replica, "PX", LEASE_MS, "NX")) === "OK";
      // Counted from before the command was sent: never longer than Redis keeps the key.
      leaseUntil = held ? started + LEASE_MS - LEASE_RENEW_MS : 0;
      if (held !== sweeping)
        log.info(held ? "sweeper lease taken" : "sweeper lease lost", { replica });
      sweeping = held;
    } catch (error) {
      leaseUntil = 0;
      sweeping = false;
      failed("lease", error);
    }
  }

  /** True on the first replica to claim `key`; unknown (Redis away) is true: twice, not never. */
  registry.claim = async (key, atMostMs) => {
    if (degraded) return true;
    try {
      const ttl = Math.min(TOLD_MS, atMostMs);
      return (await redis.set(`${prefix}told:${key}`, replica, "PX", ttl, "NX")) === "OK";
    } catch (error) {
      failed("claim", error);
      return true;
    }
  };

  redis.on("ready", resync);
  redis.on("error", (error) => failed("connection", error));
  redis.on("close", () => failed("connection", new Error("connection closed")));
  subscriber.on("error", () => {}); // the command connection reports the outage
  subscriber.on("message", receive);
  redis.connect().catch((error) => failed("connect", error));
  subscriber
    .connect()
    .then(() => subscriber.subscribe(channel))
    .catch(() => {}); // ioredis reconnects and resubscribes by itself

  const flushTimer = setInterval(flush, FLUSH_MS);
  const leaseTimer = setInterval(renewLease, LEASE_RENEW_MS);
  renewLease();
  let closing: Promise<void> | undefined;
  /** Writes the last changes, hands the lease over at once (not when it expires), disconnects. */
  const close = () =>
    (closing ??= (async () => {
      clearInterval(flushTimer);
      clearInterval(leaseTimer);
      await flush();
      if (leaseUntil > 0) await redis.eval(RENEW, 1, keys.lease, replica, 1).catch(() => {});
      closed = true;
      redis.disconnect();
      subscriber.disconnect();
    })());
  signal.addEventListener("abort", close);

  return {
    replica,
    close,
    /** Told of every client the registry changed; the store's own applications excepted. */
    changed(clientId: string) {
      if (!applying) dirty.add(clientId);
    },
    /** Whether this replica may judge clients now: it holds the lease and Redis answers. */
    maySweep() {
      return !degraded && holdsLease();
    },
    get degraded() {
      return degraded;
    },
    /** Whether the clients kept in Redis have been read (once, at start). */
    get loaded() {
      return loaded;
    },
    get sweeper() {
      return holdsLease();
    },
  };
}
export type RedisStore = ReturnType<typeof createRedisStore>;
