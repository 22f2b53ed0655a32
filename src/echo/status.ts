// GET /status/{code} (podinfo's name): answers with the status asked for, to test how
// ingresses, meshes and clients treat errors and redirects without breaking anything.
import { Elysia, t } from "elysia";
import { numberParam } from "./number-param";

export const MIN_STATUS = 200;
export const MAX_STATUS = 599;

// The statuses HTTP forbids a body on: sent with none.
const BODYLESS = new Set([204, 205, 304]);

const code = numberParam(
  "code",
  t.Integer({
    minimum: MIN_STATUS,
    maximum: MAX_STATUS,
    description: `the status to answer with: a whole number from ${MIN_STATUS} to ${MAX_STATUS}`,
    error: `must be a whole number from ${MIN_STATUS} to ${MAX_STATUS}`,
  }),
);

export const statusRoute = new Elysia().get(
  "/status/:code",
  ({ params }) => {
    const status = code.value(params);
    return BODYLESS.has(status)
      ? new Response(null, { status })
      : Response.json({ status }, { status });
  },
  { params: code.params },
);
