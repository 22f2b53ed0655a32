// The clients' one HTTP exchange: POST a JSON body, read the answer as JSON (or text).
// Each one is a CLIENT span whose trace goes along as `traceparent` when traces are on.
// A network failure becomes `Failed to connect to server: <reason>`, the line clients log.

import { tracedFetch } from "./tracing";

export interface JsonAnswer {
  status: number;
  ok: boolean;
  /** The parsed JSON body, or the raw text when it is not JSON. */
  body: unknown;
}

export async function postJson(
  url: string,
  body: unknown,
  { headers = {}, timeoutMs }: { headers?: Record<string, string>; timeoutMs: number },
): Promise<JsonAnswer> {
  let response: Response;
  try {
    response = await tracedFetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new Error(`Failed to connect to server: ${reasonOf(error)}`);
  }
  const text = await response.text();
  return { status: response.status, ok: response.ok, body: parseOrText(text) };
}

function reasonOf(error: unknown) {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: string }).code;
  return code && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
}

/** The body as JSON, or the raw text when it is not JSON. */
export function parseOrText(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}
