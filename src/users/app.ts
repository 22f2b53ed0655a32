// The users API routes. Their schemas validate requests (422 naming the field) and make the
// OpenAPI document served at /openapi/json, shown by the docs page at /openapi.
import { t } from "elysia";
import pkg from "../../package.json";
import { HttpError } from "../lib/errors";
import { createServer, jsonBody, type ReadinessCheck } from "../lib/http-server";
import type { Logger } from "../lib/log";
import type { Hit } from "./cache";
import { DOCS_PATH, DOCUMENT_PATH, docsPage, docsScript, SCRIPT_PATH } from "./docs-ui";
import { openApiDocument } from "./openapi";
import { type CacheStatus, hitStatus, notFound, type UsersService } from "./service";
import {
  DEFAULT_LIMIT,
  ErrorSchema,
  IdParams,
  ListQuery,
  NewUserSchema,
  UserPageSchema,
  UserPatchSchema,
  UserSchema,
  WriteUnavailableSchema,
} from "./user";

const errors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((status) => [status, ErrorSchema]));
// A write's 503 may say its outcome is unknown (the database did not answer in time).
const WRITE_TIMEOUT =
  'A 503 with `"outcome": "unknown"` means the database did not answer within ' +
  "MYSQL_QUERY_TIMEOUT_SECONDS: the write may still be applied. The cached user was dropped; " +
  "read it again before retrying.";

const info = {
  title: "demo users API",
  version: pkg.version,
  description:
    "Users in MySQL (or an embedded SQLite) with a Redis (or in-process) read cache. " +
    "Every error is JSON with an `error` text. A path served with other methods than the " +
    "request's answers 405 with an `Allow` header; an unknown path 404.",
};
/** Paths left out of the OpenAPI document. */
export const HIDDEN_PATHS = [
  "/healthz",
  "/readyz",
  "/metrics",
  DOCS_PATH,
  DOCUMENT_PATH,
  SCRIPT_PATH,
];

export function createUsersApp(users: UsersService, log: Logger, readiness: ReadinessCheck) {
  let document: ReturnType<typeof openApiDocument> | undefined;
  const app = createServer({ log, readiness: { database: readiness }, refuseUnknownFields: true })
    .get(DOCS_PATH, () => new Response(docsPage(info.title), { headers: HTML }))
    .get(SCRIPT_PATH, docsScript)
    // Made once, at the first request: by then every route is registered.
    .get(DOCUMENT_PATH, () => {
      document ??= openApiDocument(app, { info, hidden: HIDDEN_PATHS });
      return document;
    })
    .post(
      "/init",
      async () => {
        await users.init();
        return { status: "initialized" as const };
      },
      {
        detail: { summary: "Create or upgrade the users table (idempotent)" },
        response: { 200: t.Object({ status: t.Literal("initialized") }), ...errors(503) },
      },
    )
    .post(
      "/users",
      async ({ body, set }) => {
        const user = await users.create(body);
        set.status = 201;
        set.headers.location = `/users/${user.id}`;
        return user;
      },
      {
        parse: jsonBody,
        body: NewUserSchema,
        detail: { summary: "Add a user", description: WRITE_TIMEOUT },
        response: { 201: UserSchema, ...errors(400, 409, 413, 422), 503: WriteUnavailableSchema },
      },
    )
    .get("/users", ({ query }) => users.list(Number(query.limit ?? DEFAULT_LIMIT), query.after), {
      // Elysia keeps one of a repeated parameter's values; which one the client meant is unknown.
      transform: ({ request }) => onlyOnce(request, Object.keys(ListQuery.properties)),
      query: ListQuery,
      detail: { summary: "List users by id, a page at a time" },
      response: { 200: UserPageSchema, ...errors(422, 503) },
    })
    .get(
      "/users/:id",
      async ({ params: { id }, set }) => {
        const { json, cache } = await users.read(id);
        if (json === undefined) {
          set.headers["x-cache"] = cache;
          throw notFound(id);
        }
        return userResponse(json, cache);
      },
      {
        params: IdParams,
        // A user held in process (the near cache) is answered here, before the handler, and
        // synchronously: Bun gets a settled answer, where the async handler's waits for
        // microtasks (near-cache.test.ts checks it). Written so that Elysia's look at the source
        // (compose.ts `isAsync`: "return x(", "=> x(", "async" or "await" in its text, even
        // minified) finds it synchronous and does not await it.
        beforeHandle({ params: { id } }) {
          const hit = users.cached(id);
          let response: Response | undefined;
          if (hit) response = cachedResponse(hit);
          // Typed as the response schema's value, not a Response, which Elysia serves as is.
          return response as never;
        },
        detail: {
          summary: "Read a user (cache-aside)",
          description:
            "Header X-Cache: HIT-LOCAL (the in-process near cache), HIT (Redis), MISS, or BYPASS (cache unusable or off).",
        },
        response: { 200: UserSchema, ...errors(404, 422, 503) },
      },
    )
    .patch(
      "/users/:id",
      async ({ params: { id }, body }) => {
        const user = await users.update(id, body);
        if (!user) throw notFound(id);
        return user;
      },
      {
        parse: jsonBody,
        params: IdParams,
        body: UserPatchSchema,
        detail: { summary: "Change a user's name or email", description: WRITE_TIMEOUT },
        response: {
          200: UserSchema,
          ...errors(400, 404, 409, 413, 422),
          503: WriteUnavailableSchema,
        },
      },
    )
    .delete(
      "/users/:id",
      async ({ params: { id }, set }) => {
        if (!(await users.remove(id))) throw notFound(id);
        set.status = 204;
      },
      {
        params: IdParams,
        detail: { summary: "Delete a user", description: WRITE_TIMEOUT },
        response: {
          204: t.Void({ description: "deleted" }),
          ...errors(404, 422),
          503: WriteUnavailableSchema,
        },
      },
    );
  return app;
}

const HTML = { "content-type": "text/html;charset=utf-8" };

/** A read's answer: the cached JSON as is (never parsed or re-serialised), and its X-Cache. */
function userResponse(json: string, cache: CacheStatus) {
  return new Response(json, {
    headers: { "content-type": "application/json;charset=utf-8", "x-cache": cache },
  });
}

// The answer of each entry held in process, made at its first read and cloned for the next
// ones: a clone copies the headers natively, where a new Response parses them from an object
// (about 5% of a near-cache hit's CPU). Kept by the entry's own object, so it goes with it.
const answers = new WeakMap<Hit, Response>();

function cachedResponse(hit: Hit) {
  let answer = answers.get(hit);
  if (!answer) {
    answer = userResponse(hit.json, hitStatus(hit));
    answers.set(hit, answer);
  }
  return answer.clone();
}

/** 422 naming each of `names` the query gives more than once (`limit=2&limit=3`). */
function onlyOnce(request: Request, names: string[]) {
  const query = new URL(request.url).searchParams;
  const repeated = names.filter((name) => query.getAll(name).length > 1);
  if (repeated.length > 0)
    throw new HttpError(422, `invalid query: ${repeated.join(", ")}`, {
      fields: repeated.map((field) => ({ field, problem: "should be given once" })),
    });
}
