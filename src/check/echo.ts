// `demo check echo`: the exact GET and POST exchanges against a running echo server, and its
// testing endpoints as a user reaches them (through the Service, in `helm test`).
import { GET_BODY, greeting } from "../echo/server";
import { CheckFailed, expectJson } from "./expect";

const MARK = { "x-demo-check": "echo" };

export async function checkEcho(baseUrl: string) {
  await expectJson(baseUrl, "GET /", { status: 200, body: GET_BODY });
  await expectJson(
    baseUrl,
    "POST /",
    { status: 200, body: greeting("Test User") },
    { name: "Test User" },
  );
  await expectJson(baseUrl, "POST /", { status: 422 }, { name: 42 });
  await expectJson(baseUrl, "GET /status/418", { status: 418, body: { status: 418 } });
  await expectJson(baseUrl, "GET /delay/0.1", { status: 200, body: { delay: 0.1 } });
  const seen = await expectJson(baseUrl, "GET /headers", { status: 200 }, undefined, MARK);
  const [[name, value]] = Object.entries(MARK) as [[string, string]];
  const got = (seen as Record<string, unknown> | undefined)?.[name];
  if (got !== value)
    throw new CheckFailed(`GET /headers: ${name} is ${JSON.stringify(got)}, expected "${value}"`);
}
