// The OpenAPI document says exactly what the server does: each request below is judged by the
// served document alone (JSON Schema with the standard formats; the server's own formats are
// unknown to it) and by the server, and the two must agree. Each case is one Schemathesis found
// in disagreement (issue 22); scripts/verify/schemathesis.sh runs Schemathesis itself.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { startTestApi, type TestApi } from "../testing/users-api";

type Schema = Record<string, unknown>;
let api: TestApi;
let document: { paths: Record<string, Record<string, Schema>> };
const ajv = new Ajv2020({ strict: false, allErrors: true, logger: false });
addFormats(ajv);

beforeAll(async () => {
  api = await startTestApi({});
  document = await (await api.call("GET", "/openapi/json")).json();
  await api.call("POST", "/users", { id: "ada", name: "Ada", email: "ada@example.com" });
});
afterAll(() => api.stop());

type Operation = {
  requestBody: { content: Record<string, { schema: Schema }> };
  parameters: Array<{ name: string; schema: Schema }>;
};
const operation = (path: string, method: string) =>
  (document.paths as unknown as Record<string, Record<string, Operation>>)[path]?.[
    method
  ] as Operation;
const bodySchema = (path: string, method: string) =>
  operation(path, method).requestBody.content["application/json"]?.schema as Schema;
const querySchema = (name: string) =>
  operation("/users", "get").parameters.find((parameter) => parameter.name === name)
    ?.schema as Schema;

const astral = "\u{1F600}"; // one character, two UTF-16 units
let n = 0;
const email = () => `doc${++n}@example.com`;

describe("the users API document agrees with the server", () => {
  test.each([
    ["an unknown field", () => ({ name: "A", email: email(), nickname: "a" }), 422],
    ["an empty name", () => ({ name: "", email: email() }), 422],
    ["a blank name", () => ({ name: " \t\u3000", email: email() }), 422],
    ["200 astral characters", () => ({ name: astral.repeat(200), email: email() }), 201],
    ["201 astral characters", () => ({ name: astral.repeat(201), email: email() }), 422],
    ["an empty string id", () => ({ id: "", name: "A", email: email() }), 422],
    ["a non-ASCII string id", () => ({ id: "é", name: "A", email: email() }), 422],
    ["a numeric string id", () => ({ id: "42", name: "A", email: email() }), 201],
    ["an integer id", () => ({ id: 43, name: "A", email: email() }), 201],
    ["an internationalised domain", () => ({ name: "A", email: "idn@bücher.de" }), 422],
    ["the same domain in ASCII", () => ({ name: "A", email: "idn@xn--bcher-kva.de" }), 201],
  ])("POST /users with %s", async (_, make, status) => {
    const body = make();
    const documented = ajv.validate(bodySchema("/users", "post"), body);
    const response = await api.call("POST", "/users", body);
    expect({ status: response.status, documented }).toEqual({ status, documented: status === 201 });
  });

  test.each([
    ["an unknown field", { nmae: "B" }, 422],
    ["a blank name", { name: "  " }, 422],
    ["a name", { name: "Countess" }, 200],
  ])("PATCH /users/ada with %s", async (_, body, status) => {
    const documented = ajv.validate(bodySchema("/users/{id}", "patch"), body);
    const response = await api.call("PATCH", "/users/ada", body);
    expect({ status: response.status, documented }).toEqual({ status, documented: status === 200 });
  });

  test("an unknown field's 422 names it", async () => {
    const response = await api.call("POST", "/users", { name: "A", email: email(), nickname: 1 });
    expect(await response.json()).toEqual({
      error: "invalid body: nickname",
      fields: [{ field: "nickname", problem: "Property 'nickname' should not be provided" }],
    });
  });

  test.each([
    ["40 astral characters", astral.repeat(40), 200],
    ["64 characters", "z".repeat(64), 200],
    ["65 characters", "z".repeat(65), 422],
  ])("GET /users?after= %s", async (_, after, status) => {
    const documented = ajv.validate(querySchema("after"), after);
    const response = await api.call("GET", `/users?after=${encodeURIComponent(after)}`);
    expect({ status: response.status, documented }).toEqual({ status, documented: status === 200 });
  });

  test("the docs page turns off what Scalar would call outside the cluster", async () => {
    const html = await (await api.call("GET", "/openapi")).text();
    const configuration = JSON.parse(/data-configuration='([^']+)'/.exec(html)?.[1] ?? "{}");
    expect(configuration).toMatchObject({
      telemetry: false,
      withDefaultFonts: false,
      showDeveloperTools: "never",
      agent: { disabled: true },
      mcp: { disabled: true },
    });
  });

  test("the document names its server, so the docs page's examples can run", () => {
    expect((document as unknown as { servers: unknown }).servers).toEqual([
      { url: "/", description: "this server" },
    ]);
  });
});
