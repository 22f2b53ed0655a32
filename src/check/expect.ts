// Small assertions for the end-to-end checks: one HTTP exchange, compared exactly.
import { isDeepStrictEqual } from "node:util";
import { parseOrText } from "../lib/post-json";
import { tracedFetch } from "../lib/tracing";

export class CheckFailed extends Error {}

export interface Expected {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Sends `METHOD /path` (with a JSON body if given), checks status, body and headers. */
export async function expectJson(
  baseUrl: string,
  request: string,
  expected: Expected,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<unknown> {
  const [method = "GET", path = "/"] = request.split(" ");
  const response = await tracedFetch(new URL(path, baseUrl), {
    method,
    headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  const actual = text ? parseOrText(text) : undefined;
  const problems: string[] = [];
  if (response.status !== expected.status)
    problems.push(`status ${response.status}, expected ${expected.status}`);
  if (expected.body !== undefined && !isDeepStrictEqual(actual, expected.body)) {
    problems.push(
      `body ${describeBody(response, text)}, expected ${JSON.stringify(expected.body)}`,
    );
  }
  for (const [name, value] of Object.entries(expected.headers ?? {})) {
    const got = response.headers.get(name);
    if (got !== value) problems.push(`header ${name}: ${got}, expected ${value}`);
  }
  if (problems.length > 0) throw new CheckFailed(`${request}: ${problems.join("; ")}`);
  console.log(
    `ok   ${request} -> ${response.status}${expected.headers ? ` ${JSON.stringify(expected.headers)}` : ""}`,
  );
  return actual;
}

/** The body for a FAIL line: JSON as it came; anything else (a proxy's HTML page, say) by its
 * type and size with its first characters, so one line stays readable. */
function describeBody(response: Response, text: string) {
  const type = response.headers.get("content-type") ?? "no content-type";
  if (type.includes("json") && text.length <= 500) return text;
  const start = text.slice(0, 80).replace(/\s+/g, " ");
  return `of ${text.length} bytes (${type}) starting ${JSON.stringify(start)}`;
}
