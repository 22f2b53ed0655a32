// charts/demo/charts/heartbeat/values.schema.json: the heartbeat server, its clients, its
// store and its monitoring (see blocks.ts for the keys every subchart shares). Written by
// generate.ts.
import {
  anyObject,
  obj,
  port,
  ref,
  service,
  stringEnum,
  stringMap,
  subchartHead,
  subchartSchema,
  switchOnly,
  T,
} from "./blocks";

/** A Prometheus duration: 30s, 5m, 1h30m. */
const duration = () => T.String({ pattern: "^([0-9]+(ms|s|m|h|d|w|y))+$" });

const networkPolicy = obj({
  enabled: T.Boolean(),
  allowExternal: T.Boolean(),
  extraIngress: T.Array(anyObject()),
});

export const heartbeat = subchartSchema(
  "heartbeat",
  subchartHead(networkPolicy),
  {
    interval: T.Number({
      description: "HEARTBEAT_INTERVAL, seconds (src/heartbeat/protocol.ts INTERVAL_BOUNDS)",
      minimum: 0.1,
      maximum: 3600,
    }),
    auth: obj({
      existingSecret: T.String({ description: "Secret with the token (empty: generate one)" }),
      existingSecretKey: T.String({ minLength: 1 }),
    }),
    server: obj({
      resources: ref("resources"),
      replicaCount: T.Integer({
        minimum: 1,
        description: "server pods; more than 1 needs store.type=redis",
      }),
    }),
    service: service(),
    client: obj({
      enabled: T.Boolean(),
      kind: stringEnum(["StatefulSet", "Deployment", "DaemonSet"]),
      replicaCount: T.Integer({ minimum: 0 }),
      metricsInterval: T.Number({ exclusiveMinimum: 0, description: "METRICS_INTERVAL, seconds" }),
      podDisruptionBudget: switchOnly(),
      resources: ref("resources"),
    }),
    store: obj({
      type: stringEnum(["memory", "redis"], { description: "HEARTBEAT_STORE" }),
      redis: obj({
        host: T.String({ minLength: 1 }),
        port: port(),
        existingSecret: T.String(),
        existingSecretPasswordKey: T.String({ minLength: 1 }),
        keyPrefix: T.String(),
      }),
    }),
    serviceMonitor: obj({ enabled: T.Boolean(), interval: duration(), labels: stringMap() }),
    alerts: obj({
      enabled: T.Boolean(),
      clientLostFor: duration(),
      degradedFor: duration(),
      noBeatsFor: duration(),
      labels: stringMap(),
    }),
  },
  {
    // More than one server shares the clients' state through Redis only.
    allOf: [
      {
        if: {
          properties: {
            server: { properties: { replicaCount: { minimum: 2 } }, required: ["replicaCount"] },
          },
          required: ["server"],
        },
        // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then, never awaited
        then: {
          properties: { store: { properties: { type: { const: "redis" } }, required: ["type"] } },
          required: ["store"],
        },
      },
    ],
  },
);
