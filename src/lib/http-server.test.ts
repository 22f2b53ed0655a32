// The HTTP kit at the edge of what Elysia sees: the Host header, methods Bun does not know,
// and Bun's own 431. Requests are written on a raw socket (fetch normalises them).
import { afterAll, describe, expect, test } from "bun:test";
import { recordingLogger } from "../testing/logger";
import { closing, rawHttp } from "../testing/raw-http";
import { serveOnFreePort } from "../testing/serve";
import { createServer } from "./http-server";

const app = createServer({ log: recordingLogger() })
  .get("/items/:id", ({ params }) => params)
  .delete("/items/:id", () => "gone");
const { base, stop } = serveOnFreePort(app);
const port = Number(new URL(base).port);
afterAll(() => stop());

const body = (answer: string) => answer.slice(answer.indexOf("\r\n\r\n") + 4);

describe("the HTTP kit", () => {
  // Elysia's path in its 404 handler is cut at a fixed offset into the URL: with `Host: api`
  // /items/1 was /1, a 404 without Allow.
  test.each(["a", "api", "localhost", "example.com:8080"])(
    "with Host %s a wrong method is a 405 with Allow",
    async (host) => {
      const answer = await rawHttp(port, closing("PUT", "/items/1", host));
      expect(answer).toStartWith("HTTP/1.1 405 ");
      expect(answer.toLowerCase()).toContain("\r\nallow: delete, get, head\r\n");
      expect(JSON.parse(body(answer))).toEqual({
        error: "PUT is not allowed on /items/1",
        allow: ["DELETE", "GET", "HEAD"],
      });
    },
  );

  test("with Host api an unknown path is a 404 naming the whole path", async () => {
    const answer = await rawHttp(port, closing("GET", "/nothing/here", "api"));
    expect(answer).toStartWith("HTTP/1.1 404 ");
    expect(JSON.parse(body(answer))).toEqual({ error: "no route for GET /nothing/here" });
  });

  // Bun 1.4.5's HTTP parser (uWebSockets) knows a fixed list of methods and closes the
  // connection on any other, before Bun.serve's fetch or error handler runs: no server built
  // on Bun.serve can answer these (README: "What Bun answers before the server sees it").
  test.each(["FOO", "get"])(
    "Bun closes the connection on method %s without an answer",
    async (method) => {
      expect(await rawHttp(port, closing(method, "/items/1"))).toBe("");
    },
  );

  test("a method Bun knows but no route serves (PROPFIND) is a JSON 405", async () => {
    const answer = await rawHttp(port, closing("PROPFIND", "/items/1"));
    expect(answer).toStartWith("HTTP/1.1 405 ");
  });

  // Bun answers an oversized request line or header block itself, with an empty body and
  // without calling fetch or error: the 431 cannot be JSON.
  test.each([
    ["a 20 KB URL", `/items/${"a".repeat(20_000)}`, ""],
    ["a 100 KB header", "/items/1", `X-Big: ${"b".repeat(100_000)}\r\n`],
  ])("%s gets Bun's own 431 with an empty body", async (_, path, header) => {
    const answer = await rawHttp(port, closing("GET", path, "localhost", header));
    expect(answer).toStartWith("HTTP/1.1 431 ");
    expect(body(answer)).toBe("");
  });
});
