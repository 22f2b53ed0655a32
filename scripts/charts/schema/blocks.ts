// The values-schema blocks the charts share, each written once: the demo-lib per-pod values
// (probes, Ingress, HTTPRoute, labels...), a subchart's image, Service, autoscaling and
// resources, and the small builders the chart files (echo.ts, users.ts, heartbeat.ts,
// umbrella.ts, demo-lib.ts) compose them with. generate.ts writes each chart's
// values.schema.json from them; a new field written here reaches every chart that uses it.
import { Type as T, type TObject, type TProperties, type TSchema } from "@sinclair/typebox";
import { TRACES_SAMPLERS } from "../../../src/lib/config";

export { T };

/** A JSON-schema keyword TypeBox has no builder for (oneOf, enum, $ref, bare "object"). */
export const raw = (schema: Record<string, unknown>): TSchema => T.Unsafe(schema);

interface ObjectOptions {
  /** Keys that must be present (all others are optional). */
  required?: string[];
  description?: string;
  /** Accept keys not listed (values passed on to a chart we do not own, like Bitnami's). */
  open?: boolean;
}

/** An object of optional keys (except `required`), strict unless `open`. */
export function obj(properties: TProperties, options: ObjectOptions = {}): TObject {
  const required = new Set(options.required ?? []);
  for (const key of required) if (!(key in properties)) throw new Error(`obj: no key "${key}"`);
  const props: TProperties = {};
  for (const [key, schema] of Object.entries(properties))
    props[key] = required.has(key) ? schema : T.Optional(schema);
  return T.Object(props, {
    ...(options.description ? { description: options.description } : {}),
    ...(options.open ? {} : { additionalProperties: false }),
  });
}

/** A free-form object (its keys are another chart's or Kubernetes' to check). */
export const anyObject = (description?: string) =>
  raw({ type: "object", ...(description ? { description } : {}) });

/** A map of strings to strings: labels, annotations, a nodeSelector. */
export const stringMap = (description?: string) =>
  T.Object({}, { additionalProperties: T.String(), ...(description ? { description } : {}) });

export const stringEnum = (values: string[], options: Record<string, unknown> = {}) =>
  raw({ type: "string", enum: values, ...options });

export const oneOf = (...schemas: TSchema[]) => raw({ oneOf: schemas });

/** A reference to one of the chart's `definitions` (see DEFINITIONS). */
export const ref = (name: "quantity" | "resources") => raw({ $ref: `#/definitions/${name}` });

export const port = () => T.Integer({ minimum: 1, maximum: 65535 });
export const DIGEST = "^(sha256:[0-9a-f]{64})?$";
export const PULL_POLICIES = ["Always", "IfNotPresent", "Never"];
export const switchOnly = () => obj({ enabled: T.Boolean() });

// --- definitions: written once in each subchart's schema, referenced with $ref ---------------
const requestsOrLimits = () =>
  obj(
    { cpu: ref("quantity"), memory: ref("quantity"), "ephemeral-storage": ref("quantity") },
    { required: ["cpu", "memory"] },
  );
export const DEFINITIONS: Record<Parameters<typeof ref>[0], TSchema> = {
  quantity: raw({
    oneOf: [
      T.String({ pattern: "^[0-9]+(\\.[0-9]+)?(m|k|Ki|M|Mi|G|Gi|T|Ti|E|Ei|P|Pi)?$" }),
      T.Number({ minimum: 0 }),
    ],
    description: "A Kubernetes resource quantity: 100m, 64Mi, 1.5, 2",
  }),
  resources: obj(
    { requests: requestsOrLimits(), limits: requestsOrLimits() },
    {
      required: ["requests", "limits"],
      description: "Container requests and limits (both required)",
    },
  ),
};

// --- a subchart's own blocks ------------------------------------------------------------------
export const image = () =>
  obj({
    repository: T.String({ description: "Repository (empty: global.image.repository)" }),
    tag: T.String({ description: "Tag (empty: global.image.tag, then appVersion)" }),
    digest: T.String({ pattern: DIGEST, description: "Digest (empty: global.image.digest)" }),
    pullPolicy: stringEnum(["", ...PULL_POLICIES]),
  });

export const service = () =>
  obj({
    type: stringEnum(["ClusterIP", "NodePort", "LoadBalancer"]),
    port: port(),
    nodePort: oneOf(T.Null(), port()),
    annotations: stringMap(),
  });

const percent = () => raw({ type: ["integer", "null"], minimum: 1 });
/** An HPA stabilization window (Kubernetes' own bound: 0 to 3600 s); null keeps Kubernetes' default. */
const window = () => raw({ type: ["integer", "null"], minimum: 0, maximum: 3600 });
export const autoscaling = () =>
  obj({
    hpa: obj(
      {
        enabled: T.Boolean(),
        minReplicas: T.Integer({ minimum: 1 }),
        maxReplicas: T.Integer({ minimum: 1 }),
        targetCPU: percent(),
        targetMemory: percent(),
        scaleUpStabilizationSeconds: window(),
        scaleDownStabilizationSeconds: window(),
      },
      { required: ["enabled"], description: "HorizontalPodAutoscaler" },
    ),
  });

// --- traces: global.tracing in the umbrella, tracing in each subchart (empty: the global's) ----
/** OTLP endpoint, sampler and the collector's NetworkPolicy peers; `inherit`: "" and null allowed. */
export function tracing(inherit: boolean) {
  const empty = inherit ? ["" as const] : [];
  return obj(
    {
      endpoint: T.String({
        pattern: "^(https?://.+)?$",
        description: "OTEL_EXPORTER_OTLP_ENDPOINT (empty: no traces)",
      }),
      sampler: stringEnum([...empty, ...TRACES_SAMPLERS], { description: "OTEL_TRACES_SAMPLER" }),
      samplerArg: inherit
        ? raw({ type: ["number", "null"], minimum: 0, maximum: 1 })
        : T.Number({ minimum: 0, maximum: 1, description: "OTEL_TRACES_SAMPLER_ARG" }),
      collector: T.Array(anyObject(), {
        description: "NetworkPolicy peers of the collector (empty: any destination)",
      }),
    },
    { description: "OpenTelemetry traces" },
  );
}

/** The keys every subchart starts with: the umbrella's switch, names, image, scheduling. */
export function subchartHead(networkPolicy: TSchema): TProperties {
  return {
    enabled: T.Boolean({ description: "Deploy this system (umbrella condition)" }),
    global: anyObject("Global values (validated by the umbrella chart)"),
    nameOverride: T.String(),
    fullnameOverride: T.String(),
    image: image(),
    networkPolicy,
    tracing: tracing(true),
    nodeSelector: stringMap(),
    tolerations: T.Array(anyObject()),
    affinity: anyObject(),
    test: obj({ resources: ref("resources") }),
  };
}

// --- the per-pod values demo-lib renders, the same in every subchart --------------------------
const probe = (description: string, successThreshold: TSchema) =>
  obj(
    {
      enabled: T.Boolean(),
      initialDelaySeconds: T.Integer({ minimum: 0 }),
      periodSeconds: T.Integer({ minimum: 1 }),
      timeoutSeconds: T.Integer({ minimum: 1 }),
      failureThreshold: T.Integer({ minimum: 1 }),
      successThreshold,
    },
    { required: ["enabled"], description },
  );
const urlPath = () => T.String({ pattern: "^/" });

export function podValues(): TProperties {
  return {
    "demo-lib": anyObject("The library chart's values (none)"),
    logLevel: stringEnum(["debug", "info", "warn", "error"], {
      description: "LOG_LEVEL of every container",
    }),
    extraEnvVars: T.Array(
      obj({ name: T.String({ minLength: 1 }) }, { required: ["name"], open: true }),
      {
        description: "Extra env entries for every demo container",
      },
    ),
    commonLabels: stringMap("Labels for every object"),
    podLabels: stringMap("Labels for every pod"),
    podAnnotations: stringMap("Annotations for every pod"),
    priorityClassName: T.String({ description: "PriorityClass of every pod" }),
    topologySpreadConstraints: T.Array(
      raw({ type: "object", required: ["maxSkew", "topologyKey", "whenUnsatisfiable"] }),
      { description: "Topology spread constraints for every pod" },
    ),
    // Kubernetes requires successThreshold 1 on liveness probes.
    livenessProbe: probe("Liveness probe timings", T.Integer({ minimum: 1, maximum: 1 })),
    readinessProbe: probe("Readiness probe timings", T.Integer({ minimum: 1 })),
    ingress: obj(
      {
        enabled: T.Boolean(),
        ingressClassName: T.String(),
        hostname: T.String(),
        path: urlPath(),
        pathType: stringEnum(["Prefix", "Exact", "ImplementationSpecific"]),
        annotations: stringMap(),
        tls: T.Boolean(),
        secretName: T.String(),
      },
      { required: ["enabled"], description: "An Ingress for the Service" },
    ),
    httpRoute: obj(
      {
        enabled: T.Boolean(),
        annotations: stringMap(),
        parentRefs: T.Array(
          obj({ name: T.String({ minLength: 1 }) }, { required: ["name"], open: true }),
        ),
        hostnames: T.Array(T.String({ minLength: 1 })),
        path: urlPath(),
      },
      { required: ["enabled"], description: "A Gateway API HTTPRoute for the Service" },
    ),
  };
}

/** A subchart's whole schema: its head, its own keys, the per-pod values and the definitions. */
export function subchartSchema(
  name: string,
  head: TProperties,
  own: TProperties,
  extra: Record<string, unknown> = {},
): { properties: TProperties; [keyword: string]: unknown } {
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    title: `${name} values`,
    ...obj({ ...head, ...own, ...podValues() }),
    ...extra,
    definitions: DEFINITIONS,
  };
}
