// For the users tests: the served OpenAPI document checked with a maintained validator
// (@seriousme/openapi-schema-validator), and every answer a test saw checked against it:
// its route and status documented, and its JSON body valid against the documented schema.
import { Validator } from "@seriousme/openapi-schema-validator";
import { FormatRegistry } from "@sinclair/typebox";
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";

/** An answer a test saw: what was asked, and what came back. */
export interface Observed {
  method: string;
  path: string;
  status: number;
  body: string;
}

type Schema = Record<string, unknown>;
type Operation = { responses: Record<string, { content?: Record<string, { schema: Schema }> }> };
type OpenApiDocument = { paths: Record<string, Record<string, Operation>> };

/** The validator's errors for `document` (none: valid OpenAPI 3.1). */
export async function openApiErrors(document: unknown) {
  const specification = structuredClone(document) as Parameters<Validator["validate"]>[0];
  const result = await new Validator().validate(specification);
  return result.valid ? [] : result.errors;
}

/**
 * What the document does not say about the observed answers, one line each (`hidden`: the
 * paths the document leaves out on purpose, such as /metrics).
 */
export function undocumented(document: OpenApiDocument, observed: Observed[], hidden: string[]) {
  // The formats the users API itself checks (user.ts registers them) validate bodies here too.
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  for (const format of ["email", "name"])
    ajv.addFormat(format, (value: string) => FormatRegistry.Get(format)?.(value) ?? false);
  const problems = new Set<string>();
  for (const { method, path, status, body } of observed) {
    if (hidden.includes(path)) continue;
    const seen = `${method} ${path} -> ${status}`;
    const [template, item] =
      Object.entries(document.paths).find(([template]) => matches(template, path)) ?? [];
    const operation = item?.[method.toLowerCase()];
    if (!template || !operation) {
      // Not an operation: the server kit's 404 (unknown path) or 405 (other method).
      if (status !== 404 && status !== 405) problems.add(`${seen}: no such operation`);
      continue;
    }
    const response = operation.responses[String(status)];
    if (!response) {
      problems.add(`${method} ${template} -> ${status}: status not documented`);
      continue;
    }
    const schema = response.content?.["application/json"]?.schema;
    if (!schema) {
      if (body !== "") problems.add(`${seen}: a body where none is documented`);
      continue;
    }
    if (!ajv.validate(schema, JSON.parse(body)))
      problems.add(`${seen}: body ${body.slice(0, 200)} ${ajv.errorsText()}`);
  }
  return [...problems];
}

/** Whether a request path (no query) is an instance of an OpenAPI path template. */
function matches(template: string, path: string) {
  const pattern = template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\\?\{[^/]+\}/g, "[^/]+");
  return new RegExp(`^${pattern}$`).test(path);
}

/** The documented answers (`METHOD /template status`) that no observed answer matched. */
export function unobserved(document: OpenApiDocument, observed: Observed[]) {
  const seen = new Set(
    observed.flatMap(({ method, path, status }) =>
      Object.keys(document.paths)
        .filter((template) => matches(template, path))
        .map((template) => `${method} ${template} ${status}`),
    ),
  );
  return Object.entries(document.paths).flatMap(([template, item]) =>
    Object.entries(item).flatMap(([method, operation]) =>
      Object.keys(operation.responses)
        .map((status) => `${method.toUpperCase()} ${template} ${status}`)
        .filter((answer) => !seen.has(answer)),
    ),
  );
}
