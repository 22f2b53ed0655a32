// charts/demo/charts/echo/values.schema.json: the echo server and client (see blocks.ts for
// the keys every subchart shares). Written by generate.ts.
import {
  autoscaling,
  obj,
  ref,
  service,
  subchartHead,
  subchartSchema,
  switchOnly,
  T,
} from "./blocks";

export const echo = subchartSchema("echo", subchartHead(switchOnly()), {
  server: obj({
    replicaCount: T.Integer({ description: "Number of server pods", minimum: 0 }),
    podDisruptionBudget: switchOnly(),
    resources: ref("resources"),
    autoscaling: autoscaling(),
  }),
  service: service(),
  client: obj({
    enabled: T.Boolean(),
    replicaCount: T.Integer({ minimum: 0 }),
    name: T.String({ description: "ECHO_NAME", minLength: 1 }),
    interval: T.Number({ exclusiveMinimum: 0, description: "ECHO_INTERVAL, seconds" }),
    podDisruptionBudget: switchOnly(),
    resources: ref("resources"),
  }),
});
