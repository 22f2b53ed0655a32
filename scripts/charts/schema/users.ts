// charts/demo/charts/users/values.schema.json: the users API, its database and cache (the
// Bitnami mysql and redis charts, a Redis sidecar, or external ones; see blocks.ts for the keys
// every subchart shares). Written by generate.ts.
import {
  autoscaling,
  DIGEST,
  obj,
  PULL_POLICIES,
  port,
  ref,
  service,
  stringEnum,
  subchartHead,
  subchartSchema,
  switchOnly,
  T,
} from "./blocks";

/** The values of a Bitnami chart we check a few keys of; the chart itself checks the rest. */
const bitnami = (chart: string, auth: Parameters<typeof obj>[0]) =>
  obj(
    {
      enabled: T.Boolean({ description: `Deploy the Bitnami ${chart} chart` }),
      architecture: stringEnum(["standalone"]),
      auth: obj(auth, { description: `Bitnami ${chart} auth`, open: true }),
    },
    { description: `Values of the Bitnami ${chart} chart (any of its keys)`, open: true },
  );

export const users = subchartSchema("users", subchartHead(switchOnly()), {
  generateSecrets: T.Boolean({ description: "Create the Secrets passed to the Bitnami charts" }),
  api: obj({
    replicaCount: T.Integer({ minimum: 0 }),
    cacheTtlSeconds: T.Integer({ description: "CACHE_TTL_SECONDS", minimum: 0 }),
    migrateOnStart: T.Boolean({ description: "MIGRATE_ON_START" }),
    podDisruptionBudget: switchOnly(),
    resources: ref("resources"),
    autoscaling: autoscaling(),
  }),
  service: service(),

  mysql: bitnami("mysql", {
    database: T.String({ minLength: 1 }),
    username: T.String({ minLength: 1 }),
    existingSecret: T.String({ minLength: 1 }),
  }),
  redis: bitnami("redis", {
    enabled: T.Boolean(),
    existingSecret: T.String({ minLength: 1 }),
    existingSecretPasswordKey: T.String(),
  }),

  redisSidecar: obj({
    enabled: T.Boolean(),
    image: obj({
      repository: T.String({ minLength: 1 }),
      tag: T.String({ minLength: 1 }),
      pullPolicy: stringEnum(PULL_POLICIES),
      digest: T.String({ pattern: DIGEST }),
    }),
    maxMemory: T.String({
      description: "redis --maxmemory",
      pattern: "^[0-9]+(b|k|kb|m|mb|g|gb)?$",
    }),
    resources: ref("resources"),
  }),

  externalDatabase: obj({
    host: T.String(),
    port: port(),
    database: T.String({ minLength: 1 }),
    user: T.String({ minLength: 1 }),
    existingSecret: T.String(),
    existingSecretPasswordKey: T.String({ minLength: 1 }),
    tls: obj(
      {
        enabled: T.Boolean({ description: "MYSQL_TLS" }),
        verify: T.Boolean({ description: "MYSQL_TLS_VERIFY" }),
        existingSecret: T.String(),
        caKey: T.String({ minLength: 1 }),
      },
      { description: "TLS to the external MySQL; the CA is mounted as MYSQL_TLS_CA_FILE" },
    ),
  }),
  externalRedis: obj({
    host: T.String(),
    port: port(),
    existingSecret: T.String(),
    existingSecretPasswordKey: T.String({ minLength: 1 }),
  }),
});
