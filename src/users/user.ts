// What a user is, on the wire: the TypeBox schemas behind validation and the OpenAPI document.
import { t } from "elysia";

const idRule = { pattern: "^[A-Za-z0-9_-]{1,64}$", description: "1-64 letters, digits, _ or -" };
const id = t.String({ ...idRule, examples: ["0196f6c2-8a6e-7000-8000-5c1d2f3e4a5b"] });
const name = t.String({ minLength: 1, maxLength: 200, examples: ["Ada Lovelace"] });
const email = t.String({
  format: "email",
  maxLength: 254,
  description: "stored in lower case; unique",
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
          t.Integer({
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

export const ListQuery = t.Object({
  limit: t.Optional(t.Integer({ minimum: 1, maximum: 100, default: 20 })),
  after: t.Optional(t.String({ maxLength: 64, description: "the `next` of the previous page" })),
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
