// GET /headers (podinfo's name): the request's headers as JSON, as the server received them,
// to see what an ingress or a mesh adds, removes or rewrites on the way.
import { Elysia } from "elysia";

// Names lowercased; a repeated header's values joined with ", " (the Fetch Headers rules).
export const headersRoute = new Elysia().get("/headers", ({ request }) =>
  Object.fromEntries(request.headers),
);
