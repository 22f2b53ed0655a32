// The OpenAPI 3.1 document of the users API: @elysiajs/openapi's generator over the routes'
// schemas, completed where it falls short. It leaves a body parsed by our own parser
// (`parse: jsonBody`) with no content at all, and gives a 204 a `{"type": "void"}` content.
import { toOpenAPISchema } from "@elysiajs/openapi";
import type { AnyElysia } from "elysia";

type Operation = {
  requestBody?: unknown;
  responses?: Record<string, { content?: unknown }>;
};

export interface DocumentOptions {
  info: { title: string; version: string; description: string };
  /** Paths left out (health checks, metrics, the document itself). */
  hidden: string[];
}

export function openApiDocument(app: AnyElysia, { info, hidden }: DocumentOptions) {
  const { paths, components } = toOpenAPISchema(app, { paths: hidden });
  for (const route of app.routes) {
    const path = route.path.replace(/:([^/]+)/g, "{$1}");
    const item = (paths as Record<string, Record<string, Operation> | undefined>)[path];
    const operation = item?.[route.method.toLowerCase()];
    if (!operation) continue;
    const body = (route.hooks as { body?: unknown }).body;
    // Every body is JSON (jsonBody reads it whatever its content type says).
    if (body)
      operation.requestBody = {
        required: true,
        content: { "application/json": { schema: jsonSchema(body) } },
      };
    const noContent = operation.responses?.["204"];
    if (noContent) delete noContent.content;
  }
  // `servers`: "/" is this server, whatever name or port it was reached by, so the docs
  // page's examples (curl, fetch) run against the origin that served them.
  return withCharacterLengths({
    openapi: "3.1.1",
    info,
    servers: [{ url: "/", description: "this server" }],
    paths,
    components,
  });
}

/** A TypeBox schema as plain JSON Schema (TypeBox marks its own with symbol keys). */
const jsonSchema = (schema: unknown): unknown => JSON.parse(JSON.stringify(schema));

/**
 * `maxCharacters` (user.ts: a bound in code points, checked by a format because TypeBox's
 * `maxLength` counts UTF-16 units) as JSON Schema's `maxLength`, which counts code points.
 */
function withCharacterLengths<T>(document: T): T {
  return JSON.parse(JSON.stringify(document), (key, value) => {
    if (key !== "" && value && typeof value === "object" && "maxCharacters" in value) {
      const { maxCharacters, ...rest } = value;
      return { ...rest, maxLength: maxCharacters };
    }
    return value;
  });
}
