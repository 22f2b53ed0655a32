// The storage contract both databases meet (MySQL/MariaDB and the embedded SQLite), and the
// errors a store turns driver errors into, so the API answers the same whatever the database.
import { Histogram } from "prom-client";
import { HttpError, rootCause } from "../lib/errors";
import type { User } from "./user";

export interface UserStore {
  /** Which database this is, for logs ("mysql://host:port/db", "sqlite::memory:"). */
  readonly description: string;
  /** Applies the embedded migrations that are not applied yet (idempotent). */
  migrate(): Promise<void>;
  /** Resolves when the database answers; rejects with DatabaseUnavailable otherwise. */
  ping(): Promise<void>;
  get(id: string): Promise<User | undefined>;
  /** Users ordered by id, after the given id. */
  list(limit: number, after?: string): Promise<User[]>;
  /** Throws Duplicate when the id or the email is taken. */
  insert(user: User): Promise<void>;
  /** Sets the given fields; returns the updated user, or undefined if there is none. */
  update(
    id: string,
    changes: Partial<Pick<User, "name" | "email">> & { updatedAt: Date },
  ): Promise<User | undefined>;
  /** Returns whether a user was deleted. */
  delete(id: string): Promise<boolean>;
  close(): Promise<void>;
}

// These are HttpErrors so the server kit answers them as they are (no `cause`: the kit
// answers for the innermost cause). The driver's message is kept in the text instead.

/**
 * The database cannot be reached or refused to work: a 503, and worth retrying. `reason` is
 * served to clients, so it names no address; `detail` (the driver's words) is only logged.
 */
export class DatabaseUnavailable extends HttpError {
  constructor(
    readonly reason: string,
    readonly detail?: string,
  ) {
    super(503, `database unavailable: ${reason}`);
  }

  /** For logs: the reason and the driver's detail. */
  get logged() {
    return this.detail ? `${this.message} (${this.detail})` : this.message;
  }
}

/**
 * The database did not answer in time. The query may still run: `late` settles when it does,
 * so that whoever sent a write can act on its outcome then.
 */
export class QueryTimeout extends DatabaseUnavailable {
  constructor(
    readonly operation: string,
    timeoutMs: number,
    readonly late: Promise<void>,
  ) {
    super(`no answer within ${timeoutMs / 1000} s (${operation})`);
  }
}

/** The users table does not exist yet: POST /init creates it. */
export class TableMissing extends HttpError {
  constructor() {
    super(503, "the users table does not exist yet: call POST /init to create it");
  }
}

/** A unique column already holds this value. */
export class Duplicate extends HttpError {
  constructor(readonly field: "id" | "email") {
    super(409, `a user with this ${field} already exists`, { field });
  }
}

const queryDurations = new Histogram({
  name: "users_db_query_duration_seconds",
  help:
    "Database queries of the users API by operation and outcome: ok, conflict (a duplicate " +
    "id or email: the client's mistake) or error (the database failed or did not answer).",
  labelNames: ["operation", "outcome"] as const,
  buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
});

/**
 * Runs one store operation: times it, gives up after `timeoutMs` (a hung server must not hang
 * requests), and turns what the driver threw into the errors above (`classify` knows the
 * dialect's codes; anything it does not know is rethrown as is).
 */
export async function query<T>(
  operation: string,
  classify: (error: unknown) => Error | undefined,
  run: () => Promise<T> | T,
  timeoutMs?: number,
): Promise<T> {
  const end = queryDurations.startTimer({ operation });
  let timer: Timer | undefined;
  try {
    const work = Promise.resolve().then(run);
    const result = await (timeoutMs === undefined
      ? work
      : Promise.race([
          work,
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => {
              // It may still succeed or fail later: `late` tells when, and never rejects.
              const late = work.then(
                () => {},
                () => {},
              );
              reject(new QueryTimeout(operation, timeoutMs, late));
            }, timeoutMs);
          }),
        ]));
    end({ outcome: "ok" });
    return result;
  } catch (error) {
    const classified = classify(error) ?? error;
    end({ outcome: classified instanceof Duplicate ? "conflict" : "error" });
    throw classified;
  } finally {
    clearTimeout(timer);
  }
}

/** Drizzle wraps driver errors in DrizzleQueryError; the driver's own error is its cause. */
export const driverError = (error: unknown) => rootCause(error) as Record<string, unknown> & Error;
