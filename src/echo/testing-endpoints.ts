// The endpoints that make echo a tool for testing a cluster, under podinfo's names so habits
// carry over: /delay, /chunked, /status, /headers, /ws/echo and the readiness switch.
// `stop` ends delays, streams and WebSockets early; the process's stop signal by default.
import { Elysia } from "elysia";
import { delayRoutes } from "./delay";
import { headersRoute } from "./headers";
import { readinessSwitch } from "./readiness-switch";
import { statusRoute } from "./status";
import { wsEcho } from "./ws-echo";

export function testingEndpoints(stop?: AbortSignal) {
  const readiness = readinessSwitch();
  return {
    /** For createServer's readiness: off while POST /readyz/disable holds. */
    readiness: { manual: readiness.check },
    routes: new Elysia()
      .use(delayRoutes(stop))
      .use(statusRoute)
      .use(headersRoute)
      .use(wsEcho(stop))
      .use(readiness.routes),
  };
}
