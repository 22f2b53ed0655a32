// `demo check users`: the whole life of one new user against a running users API:
// init, add, read twice (X-Cache MISS then HIT), update and read back, delete, then 404.
import { CheckFailed, expectJson } from "./expect";

interface UserBody {
  id: string;
  name: string;
  email: string;
}

export async function checkUsers(baseUrl: string) {
  await expectJson(baseUrl, "POST /init", { status: 200, body: { status: "initialized" } });
  // Unique per run, so checks of the same release never collide.
  const id = `check-${Date.now().toString(36)}-${crypto.randomUUID().slice(0, 8)}`;
  const email = `${id}@example.com`;
  await expectJson(baseUrl, "POST /users", { status: 422 }, { name: "No Email" });

  const created = (await expectJson(
    baseUrl,
    "POST /users",
    { status: 201 },
    { id, name: "Check User", email },
  )) as UserBody;
  same(created, { id, name: "Check User", email }, "POST /users");

  const path = `/users/${id}`;
  await expectJson(baseUrl, `GET ${path}`, {
    status: 200,
    body: created,
    headers: { "x-cache": "MISS" },
  });
  await expectJson(baseUrl, `GET ${path}`, {
    status: 200,
    body: created,
    headers: { "x-cache": "HIT" },
  });

  const updated = (await expectJson(
    baseUrl,
    `PATCH ${path}`,
    { status: 200 },
    { name: "Renamed" },
  )) as UserBody;
  same(updated, { id, name: "Renamed", email }, `PATCH ${path}`);
  // The update invalidated the cached entry: the read goes to the database again.
  await expectJson(baseUrl, `GET ${path}`, {
    status: 200,
    body: updated,
    headers: { "x-cache": "MISS" },
  });

  await expectJson(baseUrl, `DELETE ${path}`, { status: 204 });
  await expectJson(baseUrl, `GET ${path}`, { status: 404 });
}

function same(actual: UserBody, expected: UserBody, request: string) {
  for (const field of ["id", "name", "email"] as const) {
    if (actual?.[field] !== expected[field])
      throw new CheckFailed(
        `${request}: ${field} ${JSON.stringify(actual?.[field])}, expected ${JSON.stringify(expected[field])}`,
      );
  }
}
