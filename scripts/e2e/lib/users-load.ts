// A read and write load on the users API that counts every answer and keeps a ledger of what
// each write did, for the default-mode drills (MySQL or Redis deleted, helm upgrade): workers
// create users under ids they choose, rename them and read them back, each over its own
// keep-alive connection (undici, as src/testing/keep-alive-load.ts), so that every id has one
// writer and its history is ordered. verifyLedger then reads every id back from the database
// (the list, which no cache serves) and through the cache, and says what was lost or stale.
import { Client } from "undici/index.js";

export interface User {
  name: string;
  email: string;
}
/** What the database may hold for one id: the last acknowledged write, or a later unknown one. */
interface Entry {
  confirmed?: User;
  pending: User[];
}

export interface UsersLoadCounts {
  requests: number;
  /** Answers by status code ("error" when no answer came). */
  status: Record<string, number>;
  /** Reads by X-Cache (HIT, MISS, BYPASS). */
  cache: Record<string, number>;
  acknowledgedWrites: number;
  /** Writes answered 503: the database was unavailable; they may or may not be applied. */
  unknownWrites: number;
  /** A read of a user that disagreed with its writer's last acknowledged write. */
  staleReads: number;
  /** Answers no drill allows: a 5xx other than 503 `database unavailable`, an unexpected status, no answer. */
  failed: number;
  /** The first failures, "HH:MM:SS.mmm METHOD PATH what" (at most 20). */
  errors: string[];
  /** X-Cache of each read, in order, with the time it was answered (for the Redis drill). */
  cacheTimeline: { at: number; cache: string }[];
}

const same = (a: User | undefined, b: User) => a?.name === b.name && a?.email === b.email;

export function usersLoad(
  baseUrl: string,
  options: { workers: number; prefix: string; signal: AbortSignal },
) {
  const counts: UsersLoadCounts = {
    requests: 0,
    status: {},
    cache: {},
    acknowledgedWrites: 0,
    unknownWrites: 0,
    staleReads: 0,
    failed: 0,
    errors: [],
    cacheTimeline: [],
  };
  const ledger = new Map<string, Entry>();
  const fail = (what: string) => {
    counts.failed++;
    if (counts.errors.length < 20)
      counts.errors.push(`${new Date().toISOString().slice(11, 23)} ${what}`);
  };

  const worker = async (w: number) => {
    const client = new Client(new URL(baseUrl).origin, {
      headersTimeout: 15_000,
      bodyTimeout: 15_000,
    });
    const mine: string[] = []; // ids with an acknowledged create
    const send = async (method: string, path: string, body?: unknown) => {
      counts.requests++;
      try {
        const r = await client.request({
          method,
          path,
          ...(body !== undefined && {
            headers: { "content-type": "application/json" },
            body: JSON.stringify(body),
          }),
        });
        const text = await r.body.text();
        counts.status[r.statusCode] = (counts.status[r.statusCode] ?? 0) + 1;
        const cache = r.headers["x-cache"];
        if (typeof cache === "string") {
          counts.cache[cache] = (counts.cache[cache] ?? 0) + 1;
          counts.cacheTimeline.push({ at: Date.now(), cache });
        }
        if (r.statusCode >= 500 && !(r.statusCode === 503 && text.includes("database unavailable")))
          fail(`${method} ${path} answered ${r.statusCode}: ${text.slice(0, 160)}`);
        return { status: r.statusCode, json: text ? JSON.parse(text) : undefined };
      } catch (error) {
        counts.status.error = (counts.status.error ?? 0) + 1;
        fail(`${method} ${path} no answer: ${(error as Error).message}`);
        return { status: 0, json: undefined };
      }
    };
    const write = async (id: string, method: string, path: string, user: User, ok: number) => {
      const entry = ledger.get(id) ?? { pending: [] };
      ledger.set(id, entry);
      const { status } = await send(method, path, method === "POST" ? { id, ...user } : user);
      if (status === ok) {
        counts.acknowledgedWrites++;
        entry.confirmed = user;
        entry.pending = [];
        return true;
      }
      if (status === 503) {
        counts.unknownWrites++;
        entry.pending.push(user);
      } else if (status !== 0) fail(`${method} ${path} answered ${status}`);
      return false;
    };

    for (let n = 0; !options.signal.aborted; n++) {
      const kind = mine.length === 0 ? 0 : n % 4; // 0 create, 1 rename, 2-3 read
      if (kind === 0) {
        const id = `${options.prefix}-${w}-${n}`;
        const user = { name: `Drill ${w}-${n}`, email: `${id}@example.com` };
        if (await write(id, "POST", "/users", user, 201)) mine.push(id);
      } else {
        const id = mine[n % mine.length] as string;
        const entry = ledger.get(id) as Entry;
        if (kind === 1) {
          await write(
            id,
            "PATCH",
            `/users/${id}`,
            { name: `Renamed ${n}`, email: entry.confirmed?.email ?? "" },
            200,
          );
        } else {
          const { status, json } = await send("GET", `/users/${id}`);
          if (
            status === 200 &&
            !same(entry.confirmed, json) &&
            !entry.pending.some((u) => same(json, u))
          ) {
            counts.staleReads++;
            fail(
              `GET /users/${id} read ${JSON.stringify(json)}, its writer last had ${JSON.stringify(entry.confirmed)}`,
            );
          } else if (status !== 200 && status !== 503 && status !== 0)
            fail(`GET /users/${id} answered ${status}`);
        }
      }
    }
    await client.close();
  };
  const done = Promise.all(Array.from({ length: options.workers }, (_, w) => worker(w))).then(
    () => counts,
  );
  return {
    counts: counts as Readonly<UsersLoadCounts>,
    ledger: ledger as ReadonlyMap<string, Entry>,
    done,
  };
}

export interface LedgerCheck {
  ids: number;
  /** Acknowledged, and in the database as acknowledged (or as a later unknown write). */
  kept: number;
  /** Acknowledged writes the database does not hold. */
  lost: string[];
  /** Ids whose read through the cache disagrees with the database. */
  staleCache: string[];
  /** Writes answered 503 that the database holds anyway (allowed; the cache must agree). */
  unknownApplied: number;
}

/** Reads every id of the ledger back: from the database (the list) and through the cache. */
/** The users the database holds whose id starts with `prefix`: the list, which no cache serves. */
export async function storedUsers(baseUrl: string, prefix = "") {
  const users = new Map<string, User & { id: string }>();
  for (let after = prefix; ; ) {
    const query = after ? `&after=${encodeURIComponent(after)}` : "";
    const page = (await (await fetch(`${baseUrl}/users?limit=100${query}`)).json()) as {
      users: (User & { id: string })[];
      next?: string;
    };
    for (const u of page.users) if (u.id.startsWith(prefix)) users.set(u.id, u);
    if (!page.next?.startsWith(prefix)) return users;
    after = page.next;
  }
}

export async function verifyLedger(
  baseUrl: string,
  ledger: ReadonlyMap<string, Entry>,
  prefix: string,
): Promise<LedgerCheck> {
  const db = await storedUsers(baseUrl, `${prefix}-`);
  const check: LedgerCheck = {
    ids: ledger.size,
    kept: 0,
    lost: [],
    staleCache: [],
    unknownApplied: 0,
  };
  for (const [id, entry] of ledger) {
    const stored = db.get(id);
    const allowed = [...(entry.confirmed ? [entry.confirmed] : []), ...entry.pending];
    if (entry.confirmed) {
      if (stored && allowed.some((u) => same(stored, u))) check.kept++;
      else check.lost.push(id);
    } else if (stored) {
      if (allowed.some((u) => same(stored, u))) check.unknownApplied++;
      else check.lost.push(id);
    }
    const r = await fetch(`${baseUrl}/users/${id}`);
    const read = r.status === 200 ? ((await r.json()) as User) : undefined;
    if (r.status !== 200) await r.body?.cancel();
    if (stored ? !same(read, stored) : r.status !== 404) check.staleCache.push(id);
  }
  return check;
}
