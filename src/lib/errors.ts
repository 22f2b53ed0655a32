// Errors shared by the server kit and the stores.

/** An error a handler throws to answer with a given status and JSON body. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** The innermost `cause` of an error: Elysia wraps what parse hooks throw, drizzle wraps
 * driver errors in DrizzleQueryError. */
export function rootCause(error: unknown): unknown {
  let current = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current;
}
