// The near cache's invalidation channel: Redis's server-assisted client-side caching. The
// cache's own connection turns on `CLIENT TRACKING ... BCAST PREFIX <keyPrefix> NOLOOP`, with
// the messages redirected to a second connection subscribed to `__redis__:invalidate`: Redis
// then reports every change of a user's keys made by any other client (another replica's
// write, an expiry, an eviction, FLUSHALL). The subscriber speaks RESP2 (`protocol: 2`):
// over ioredis 6's default RESP3 the messages are pushes it silently drops.
// The near cache serves only while both connections are up and tracking is set; either one
// lost empties it, and it stays bypassed until tracking is set again on new connections.
import { type Redis, ReplyError } from "ioredis";
import type { Logger } from "../lib/log";
import { Outage } from "../lib/outage";
import type { NearCache } from "./near-cache";
import { connectRedis, type RedisTarget } from "./redis-cache";

const CHANNEL = "__redis__:invalidate";
// A subscriber gets no replies unless something changes: a ping finds a dead socket that no
// close event reports (a network cut), so that the near cache stops serving within ~2 s.
const PING_EVERY_MS = 1_000;

export function trackInvalidations(
  near: NearCache,
  main: Redis,
  target: RedisTarget,
  options: { keyPrefix: string; log: Logger },
) {
  const { keyPrefix, log } = options;
  const subscriber = connectRedis(target, { protocol: 2, autoResubscribe: false });
  const outage = new Outage(log, {
    down: "near cache off: its invalidation channel is lost (reads ask Redis)",
    up: "near cache on: invalidations arrive again",
  });
  let subscriberId: string | undefined;
  let attempt = 0; // voids a set-up overtaken by a connection lost meanwhile
  let unsupported = false;

  function lost(error: unknown) {
    attempt += 1;
    near.flush();
    if (!unsupported) outage.failed(error);
  }

  async function establish() {
    const mine = ++attempt;
    if (unsupported || !subscriberId || main.status !== "ready") return;
    try {
      // OFF first: BCAST prefixes cannot be given again while tracking is on.
      await main.client("TRACKING", "OFF");
      await main.client(
        "TRACKING",
        "ON",
        "REDIRECT",
        subscriberId,
        "BCAST",
        "PREFIX",
        keyPrefix,
        "NOLOOP",
      );
      if (mine !== attempt) return;
      near.up();
      outage.recovered();
    } catch (error) {
      if (!refused(error)) lost(error);
    }
  }

  /** A command Redis refuses (a Redis before 6, an ACL, a proxy) is final: the cache stays off. */
  function refused(error: unknown) {
    if (!(error instanceof ReplyError)) return false;
    unsupported = true;
    near.flush();
    log.warn("near cache off: this Redis cannot track keys for it (CLIENT ID/TRACKING refused)", {
      error,
    });
    subscriber.removeAllListeners("close");
    subscriber.disconnect();
    return true;
  }

  subscriber.on("ready", async () => {
    try {
      // Before SUBSCRIBE: a RESP2 subscriber may send nothing else.
      const id = String(await subscriber.client("ID"));
      await subscriber.subscribe(CHANNEL);
      subscriberId = id;
      await establish();
    } catch (error) {
      if (refused(error)) return;
      lost(error);
      subscriber.disconnect(true);
    }
  });
  subscriber.on("message", (channel: string, message: string) => {
    if (channel !== CHANNEL) return;
    // ioredis joins the message's list of keys with commas (ids have none); an empty one
    // means the whole database was flushed.
    if (message === "") return near.flush(near.isLive);
    for (const key of message.split(",")) {
      if (!key.startsWith(keyPrefix)) continue;
      // `<id>` and `<id>:generation` both mean the user changed (ids have no `:`).
      near.invalidated(key.slice(keyPrefix.length).split(":")[0] as string);
    }
  });
  subscriber.on("error", () => {}); // "close" follows, and says it
  subscriber.on("close", () => {
    subscriberId = undefined;
    lost(new Error("invalidation subscriber connection closed"));
  });
  main.on("ready", establish);
  main.on("close", () => lost(new Error("redis connection closed (tracking lost)")));

  const ping = setInterval(() => {
    if (subscriberId)
      subscriber.ping().catch((error) => {
        lost(error);
        subscriber.disconnect(true);
      });
  }, PING_EVERY_MS);
  ping.unref();

  return {
    close() {
      clearInterval(ping);
      subscriber.removeAllListeners("close");
      subscriber.disconnect();
    },
  };
}
