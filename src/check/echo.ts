// `demo check echo`: the exact GET and POST exchanges against a running echo server.
import { GET_BODY, greeting } from "../echo/server";
import { expectJson } from "./expect";

export async function checkEcho(baseUrl: string) {
  await expectJson(baseUrl, "GET /", { status: 200, body: GET_BODY });
  await expectJson(
    baseUrl,
    "POST /",
    { status: 200, body: greeting("Test User") },
    { name: "Test User" },
  );
  await expectJson(baseUrl, "POST /", { status: 422 }, { name: 42 });
}
