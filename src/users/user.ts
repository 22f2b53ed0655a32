// What a user is, on the wire: the TypeBox schemas behind validation and the OpenAPI document.
import { FormatRegistry, Type } from "@sinclair/typebox";
import { t } from "elysia";
import isEmail from "validator/lib/isEmail";

const ASCII = /^[\x20-\x7e]*$/;

// An address a mail system accepts (README: "What is valid"): RFC 5322's dot-atom local part
// (A-Z a-z 0-9 ! # $ % & ' * + - / = ? ^ _ ` { | } ~, dots between) or a quoted one, @, and a
// domain name with a top-level domain; ASCII only, 64 characters before the @. This replaces
// TypeBox's own "email" format, which refuses valid ones such as `#d-9e@x.org` or `/j3@d.dev`.
// ASCII only: an internationalised domain is accepted in its ASCII form (idn@xn--bcher-kva.de),
// not as Unicode (idn@bücher.de), which would let one mailbox be two users.
FormatRegistry.Set(
  "email",
  (value) =>
    ASCII.test(value) &&
    isEmail(value, { allow_utf8_local_part: false, require_tld: true, allow_ip_domain: false }),
);

// JSON Schema counts a string's length in characters (code points); TypeBox counts UTF-16
// units (an emoji is 2) and a lone surrogate passes it, to be stored as U+FFFD. So a length is
// checked here, as a format, and written as `maxCharacters`, which the OpenAPI document
// (openapi.ts) states as JSON Schema's `maxLength`: TypeBox would count it in UTF-16 units.
const charactersAtMost = (value: string, max: number) => {
  let characters = 0;
  for (const _ of value) if (++characters > max) return false;
  return true;
};
const NAME_MAX_CHARACTERS = 200;
FormatRegistry.Set(
  "name",
  (value) =>
    value.isWellFormed() && value.trim() !== "" && charactersAtMost(value, NAME_MAX_CHARACTERS),
);
const AFTER_MAX_CHARACTERS = 64;
FormatRegistry.Set(
  "cursor",
  (value) => value.isWellFormed() && charactersAtMost(value, AFTER_MAX_CHARACTERS),
);
// Not only white space: a character String.prototype.trim keeps, spelled out for JSON Schema
// (ECMAScript's \s and Python's, which Schemathesis uses, disagree on a few characters).
const NOT_BLANK =
  "[^\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]";

const idRule = { pattern: "^[A-Za-z0-9_-]{1,64}$", description: "1-64 letters, digits, _ or -" };
const id = t.String({ ...idRule, examples: ["0196f6c2-8a6e-7000-8000-5c1d2f3e4a5b"] });
const nameRule = `1-${NAME_MAX_CHARACTERS} Unicode characters, not only white space, no lone surrogates`;
const name = t.String({
  format: "name",
  minLength: 1,
  maxCharacters: NAME_MAX_CHARACTERS,
  pattern: NOT_BLANK,
  description: nameRule,
  error: `should be ${nameRule}`,
  examples: ["Ada Lovelace"],
});
const email = t.String({
  format: "email",
  maxLength: 254,
  description:
    "an address a mail system accepts (RFC 5322 dot-atom or quoted local part, a domain with a TLD); stored in lower case; unique",
  error: "should be an email address such as ada@example.com",
  examples: ["ada@example.com"],
});

export const UserSchema = t.Object({
  id,
  name,
  email,
  createdAt: t.String({ format: "date-time" }),
  updatedAt: t.String({ format: "date-time" }),
});

export const NewUserSchema = t.Object(
  {
    id: t.Optional(
      t.Union(
        [
          t.String(idRule),
          // TypeBox's integer, not Elysia's t.Integer: that one adds a string branch of format
          // "integer" (a numeric string), which the document would show as "any string".
          Type.Integer({
            minimum: 0,
            maximum: Number.MAX_SAFE_INTEGER,
            description: 'stored and served as its decimal string (1 is the user "1")',
          }),
        ],
        {
          description: `${idRule.description}, or a whole number; a UUIDv7 if absent`,
          error: `should be ${idRule.description}, or a whole number`,
        },
      ),
    ),
    name,
    email,
  },
  { additionalProperties: false },
);

export const UserPatchSchema = t.Object(
  { name: t.Optional(name), email: t.Optional(email) },
  { additionalProperties: false, minProperties: 1 },
);

export const IdParams = t.Object({ id });

// A query value is text: `limit` is checked as digits (no "1e2", "0x10", " 2" or "") in
// 1-100, so Elysia's lenient number coercion never sees it (app.ts refuses a repeated one).
export const DEFAULT_LIMIT = 20;
export const ListQuery = t.Object({
  limit: t.Optional(
    t.String({
      pattern: "^(100|[1-9][0-9]?)$",
      default: String(DEFAULT_LIMIT),
      description: "how many users, a whole number from 1 to 100",
      error: "should be one whole number from 1 to 100, in digits",
      examples: ["20"],
    }),
  ),
  after: t.Optional(
    t.String({
      format: "cursor",
      maxCharacters: AFTER_MAX_CHARACTERS,
      description: "the `next` of the previous page",
      error: `should be at most ${AFTER_MAX_CHARACTERS} Unicode characters, no lone surrogates`,
    }),
  ),
});

export const UserPageSchema = t.Object({
  users: t.Array(UserSchema),
  next: t.Union([t.String(), t.Null()], { description: "pass as `after` for the next page" }),
});

export const ErrorSchema = t.Object(
  { error: t.String() },
  { additionalProperties: true, description: "what was wrong" },
);

export const WriteUnavailableSchema = t.Object(
  {
    error: t.String(),
    outcome: t.Optional(
      t.Literal("unknown", {
        description:
          "the database did not answer in time: the write may still be applied; read the user before retrying",
      }),
    ),
    id: t.Optional(t.String({ description: "the user the write was for" })),
  },
  {
    additionalProperties: true,
    description:
      'database unavailable; with `outcome: "unknown"` the write timed out and may still be applied',
  },
);

export type User = {
  id: string;
  name: string;
  email: string;
  createdAt: Date;
  updatedAt: Date;
};
export type NewUser = typeof NewUserSchema.static;
export type UserPatch = typeof UserPatchSchema.static;

/** A user as served (and cached) in JSON. */
export const userView = (user: User) => ({
  id: user.id,
  name: user.name,
  email: user.email,
  createdAt: user.createdAt.toISOString(),
  updatedAt: user.updatedAt.toISOString(),
});
