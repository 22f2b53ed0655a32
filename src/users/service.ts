// The users API's logic between the routes and the storage: cache-aside reads with single
// flight, writes that invalidate the cache, and 503s until the database is set up.
import { HttpError } from "../lib/errors";
import type { Logger } from "../lib/log";
import { Outage } from "../lib/outage";
import { cacheLookups, type Hit, type Lookup, type UserCache } from "./cache";
import { DatabaseUnavailable, Duplicate, QueryTimeout, type UserStore } from "./store";
import { type NewUser, type User, type UserPatch, userView } from "./user";

export type CacheStatus = "HIT-LOCAL" | "HIT" | "MISS" | "BYPASS";

export class UsersService {
  /** Set once the database answered at start (and was migrated, if asked to). */
  started = false;
  /** Why the last attempt at start failed (a DatabaseUnavailable's reason), for the 503s. */
  startFailure: string | undefined;
  private readonly flights = new Map<string, Promise<string | undefined>>();
  private readonly outage: Outage;

  constructor(
    readonly store: UserStore,
    readonly cache: UserCache,
    log: Logger,
  ) {
    this.outage = new Outage(log, {
      down: "database unavailable: user routes answer 503",
      up: "database is back",
      probe: () => this.store.ping(),
    });
  }

  /** Stops the outage probe, if one runs (the server is closing). */
  stop() {
    this.outage.stop();
  }

  /** Creates or updates the table (POST /init); after a failed start-up, this recovers it. */
  async init() {
    await this.db(() => this.store.migrate(), false);
    this.started = true;
  }

  /**
   * One user if the cache holds it in process (the near cache), at once: no promise, so the
   * route answers it synchronously. Undefined: `read` it.
   */
  cached(id: string): Hit | undefined {
    const hit = this.cache.peek?.(id);
    if (hit) cacheLookups[hit.result] += 1;
    return hit;
  }

  /** One user as JSON, and where it came from. Concurrent misses of an id share one query. */
  async read(id: string): Promise<{ json: string | undefined; cache: CacheStatus }> {
    // A near-cache hit is synchronous: not awaited, it costs no extra microtask.
    const lookup = this.cache.lookup(id);
    const found = lookup instanceof Promise ? await lookup : lookup;
    cacheLookups[found.result] += 1;
    if (found.result === "local" || found.result === "hit")
      return { json: found.json, cache: hitStatus(found) };
    let flight = this.flights.get(id);
    if (!flight) {
      flight = this.load(id, found);
      this.flights.set(id, flight);
      const land = () => this.flights.get(id) === flight && this.flights.delete(id);
      flight.then(land, land);
    }
    return { json: await flight, cache: found.result === "miss" ? "MISS" : "BYPASS" };
  }

  private async load(id: string, found: Lookup) {
    const user = await this.db(() => this.store.get(id));
    if (!user) return undefined;
    const json = JSON.stringify(userView(user));
    if (found.result === "miss") await this.cache.fill(id, found.token, json);
    return json;
  }

  async list(limit: number, after?: string) {
    // One more than asked tells whether there is a next page.
    const rows = await this.db(() => this.store.list(limit + 1, after));
    const page = rows.slice(0, limit);
    const next = rows.length > limit ? (page.at(-1)?.id ?? null) : null;
    return { users: page.map(userView), next };
  }

  async create(input: NewUser) {
    const now = new Date();
    const user: User = {
      // An integer id (the seed's `"id": 1`) is the user "1".
      id: input.id === undefined ? Bun.randomUUIDv7() : String(input.id),
      name: input.name,
      email: input.email.toLowerCase(),
      createdAt: now,
      updatedAt: now,
    };
    await this.write(user.id, () => this.store.insert(user));
    await this.written(user.id);
    return userView(user);
  }

  async update(id: string, patch: UserPatch) {
    const changes = { ...patch, updatedAt: new Date() };
    if (patch.email !== undefined) changes.email = patch.email.toLowerCase();
    const user = await this.write(id, () => this.store.update(id, changes));
    await this.written(id);
    return user && userView(user);
  }

  async remove(id: string) {
    const deleted = await this.write(id, () => this.store.delete(id));
    await this.written(id);
    return deleted;
  }

  /** After a write: later reads must not get the old value from the cache or a flight. */
  private async written(id: string) {
    this.flights.delete(id);
    await this.cache.invalidate(id);
  }

  /**
   * Runs a write. When it failed, the database may hold it anyway (a timeout, a connection lost
   * mid-query): the cached entry is dropped before answering, and again when a write that timed
   * out settles, so no read is served the old user afterwards. A timeout answers 503 with
   * `outcome: "unknown"`: the client should read the user again before retrying.
   */
  private async write<T>(id: string, work: () => Promise<T>): Promise<T> {
    try {
      return await this.db(work);
    } catch (error) {
      if (error instanceof Duplicate) throw error;
      await this.written(id);
      if (!(error instanceof QueryTimeout)) throw error;
      void error.late.then(() => this.written(id)).catch(() => {});
      throw new OutcomeUnknown(error, id);
    }
  }

  /** Runs a store call: 503 before start-up finished, and an outage logged once. */
  private async db<T>(work: () => Promise<T>, needsStart = true): Promise<T> {
    if (needsStart && !this.started)
      throw new DatabaseUnavailable(
        `still connecting at start-up${this.startFailure ? ` (${this.startFailure})` : ""}; try again shortly`,
      );
    try {
      const result = await work();
      this.outage.recovered();
      return result;
    } catch (error) {
      if (error instanceof DatabaseUnavailable) this.outage.failed(error.logged);
      throw error;
    }
  }
}

/** X-Cache of a hit: HIT-LOCAL from the near cache, HIT from Redis or the in-process cache. */
export const hitStatus = (hit: Hit): CacheStatus => (hit.result === "local" ? "HIT-LOCAL" : "HIT");

export const notFound = (id: string) => new HttpError(404, `no user with id "${id}"`, { id });

/** 503 for a write the database did not confirm in time: it may or may not be applied. */
export class OutcomeUnknown extends HttpError {
  constructor(timeout: QueryTimeout, id: string) {
    super(
      503,
      `${timeout.message}; the write may still be applied: read the user before retrying`,
      { outcome: "unknown", id },
    );
  }
}
