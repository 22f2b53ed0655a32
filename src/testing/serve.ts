// The one "serve on a free port" helper of the in-process tests.
import type { AnyElysia } from "elysia";

/** Listens on 127.0.0.1 and a port the kernel picks; returns the base URL. */
export function serveOnFreePort(app: AnyElysia) {
  app.listen({ port: 0, hostname: "127.0.0.1" });
  return { base: `http://127.0.0.1:${app.server?.port}`, stop: () => app.stop(true) };
}
