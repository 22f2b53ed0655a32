// Traces in the cluster: Jaeger runs in its own namespace from the image a user would pull
// ($JAEGER_IMAGE, pushed to the stand-in registry by scripts/stand-ins/push.sh from the binary
// scripts/tools.sh built), the release of step 21 is pointed at it (helm upgrade --reuse-values
// with global.tracing), `helm test` runs, and Jaeger's query API, reached through the API
// server's service proxy, holds the trace of `demo check users`: its own span, its requests,
// the users API's server spans under them and the MariaDB and Redis spans under those. The
// NetworkPolicies stay enforced: the demo pods reach the collector only through the egress
// rule the chart adds for it. Afterwards the release goes back to its revision without traces.
import { afterAll, expect, test } from "bun:test";
import { waitFor } from "../../src/testing/wait";
import { helm, type KObject, kget, kubectl, say, waitReady } from "./lib/cluster";
import { chartRef, ns, release, v1 } from "./lib/release";

const tracingNs = "tracing";
const image = process.env.JAEGER_IMAGE ?? "";
const endpoint = `http://jaeger.${tracingNs}:4318`;
let revisionBefore = 0;

/** Jaeger all-in-one (memory storage) and its Service, under the restricted Pod Security profile. */
const manifests = {
  apiVersion: "v1",
  kind: "List",
  items: [
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "jaeger", namespace: tracingNs },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: "jaeger" } },
        template: {
          metadata: { labels: { app: "jaeger" } },
          spec: {
            automountServiceAccountToken: false,
            securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
            containers: [
              {
                name: "jaeger",
                image,
                ports: [
                  { name: "otlp-http", containerPort: 4318 },
                  { name: "query", containerPort: 16686 },
                ],
                readinessProbe: { tcpSocket: { port: "otlp-http" }, periodSeconds: 2 },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  capabilities: { drop: ["ALL"] },
                  readOnlyRootFilesystem: true,
                  runAsUser: 10001,
                },
                resources: {
                  requests: { cpu: "50m", memory: "128Mi" },
                  limits: { cpu: "1", memory: "512Mi" },
                },
                // The real image declares VOLUME /tmp; the root filesystem is read-only here.
                volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
              },
            ],
            volumes: [{ name: "tmp", emptyDir: {} }],
          },
        },
      },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "jaeger", namespace: tracingNs },
      spec: {
        selector: { app: "jaeger" },
        ports: [
          { name: "otlp-http", port: 4318, targetPort: "otlp-http" },
          { name: "query", port: 16686, targetPort: "query" },
        ],
      },
    },
  ],
};

interface Trace {
  traceID: string;
  spans: {
    spanID: string;
    operationName: string;
    processID: string;
    /** Microseconds since the epoch. */
    startTime: number;
    references?: { refType: string; spanID: string }[];
    tags: { key: string; value: unknown }[];
  }[];
  processes: Record<string, { serviceName: string }>;
}

/** GET on Jaeger's query API, through the API server's service proxy (no port-forward). */
async function jaeger(path: string) {
  const proxy = `/api/v1/namespaces/${tracingNs}/services/jaeger:query/proxy/api${path}`;
  return (JSON.parse((await kubectl(["get", "--raw", proxy])).stdout) as { data: Trace[] | null })
    .data;
}

afterAll(async () => {
  if (revisionBefore > 0)
    await helm([
      "rollback",
      release,
      String(revisionBefore),
      "-n",
      ns,
      "--wait",
      "--timeout",
      "5m",
    ]);
  await kubectl(["delete", "namespace", tracingNs, "--ignore-not-found", "--wait=false"]);
});

test(`Jaeger (${image}) runs in the ${tracingNs} namespace`, async () => {
  expect(image).toMatch(/^docker\.io\/jaegertracing\/jaeger:/);
  await kubectl(["apply", "-f", "-"], {
    stdin: (await kubectl(["create", "namespace", tracingNs, "--dry-run=client", "-o", "json"]))
      .stdout,
  });
  await kubectl([
    "label",
    "--overwrite",
    "namespace",
    tracingNs,
    "pod-security.kubernetes.io/enforce=restricted",
  ]);
  await kubectl(["apply", "-f", "-"], { stdin: JSON.stringify(manifests) });
  await waitReady(tracingNs, "app=jaeger");
  await waitFor(
    "Jaeger's query API through the service proxy",
    async () => {
      await jaeger("/services"); // throws until it answers
      return true;
    },
    120_000,
    1000,
  );
});

test(`helm upgrade ${release} --reuse-values with global.tracing.endpoint=${endpoint}`, async () => {
  const history = JSON.parse((await helm(["history", release, "-n", ns, "-o", "json"])).stdout) as {
    revision: number;
  }[];
  revisionBefore = Math.max(...history.map((entry) => entry.revision));
  await helm([
    ...["upgrade", release, chartRef, "--version", v1, "-n", ns, "--reuse-values"],
    ...["--set", `global.tracing.endpoint=${endpoint}`],
    ...[
      "--set-json",
      `global.tracing.collector=[{"namespaceSelector":{"matchLabels":{"kubernetes.io/metadata.name":"${tracingNs}"}}}]`,
    ],
    ...["--wait", "--timeout", "5m"],
  ]);
  const api = (await kget<{ items: KObject[] }>(["deployments", "-n", ns])).items.find((d) =>
    d.metadata.name.endsWith("-users"),
  );
  const env = api?.spec.template.spec.containers[0].env as { name: string; value?: string }[];
  expect(env).toContainEqual({ name: "OTEL_EXPORTER_OTLP_ENDPOINT", value: endpoint });
});

test("helm test, then the trace of `demo check users` in Jaeger", async () => {
  const started = Date.now();
  const tested = await helm(["test", release, "-n", ns, "--logs", "--timeout", "5m"]);
  process.stderr.write(tested.stdout);
  const service = `${release}-users-check`;
  type Span = Trace["spans"][number];
  const parentIdOf = (span: Span) => span.references?.find((r) => r.refType === "CHILD_OF")?.spanID;
  const tag = (span: Span, key: string) => span.tags.find((t) => t.key === key)?.value;
  // Whole once every span's parent is there and both databases show: the check flushes its
  // spans before it exits, the API exports in batches (every 5 s), a child before its parent.
  const complete = (t: Trace) =>
    t.spans.every((s) => !parentIdOf(s) || t.spans.some((p) => p.spanID === parentIdOf(s))) &&
    ["mysql", "redis"].every((db) => t.spans.some((s) => tag(s, "db.system.name") === db))
      ? t
      : false;
  const trace = await waitFor(
    `a whole trace of ${service} with the users API's spans in Jaeger`,
    async () => {
      const traces = (await jaeger(`/traces?service=${service}&limit=20&lookback=1h`)) ?? [];
      const recent = traces.find((t) =>
        t.spans.some((s) => s.operationName === "check users" && s.startTime / 1000 >= started),
      );
      const full = recent && (await jaeger(`/traces/${recent.traceID}`))?.[0];
      return full ? complete(full) : false;
    },
    120_000,
    2_000,
  );
  const serviceOf = (span: Span) => trace.processes[span.processID]?.serviceName;
  const parentOf = (span: Span) => trace.spans.find((s) => s.spanID === parentIdOf(span));
  const served = trace.spans.filter(
    (s) => serviceOf(s) === `${release}-users-api` && tag(s, "span.kind") === "server",
  );
  expect(served.length).toBeGreaterThan(0);
  for (const span of served) expect(serviceOf(parentOf(span) ?? span)).toBe(service);
  const dbSpans = trace.spans.filter((s) => tag(s, "db.system.name"));
  expect(new Set(dbSpans.map((s) => tag(s, "db.system.name")))).toEqual(
    new Set(["mysql", "redis"]),
  );
  for (const span of dbSpans) expect(tag(parentOf(span) ?? span, "span.kind")).toBe("server");
  say(
    `ok: trace ${trace.traceID}: ${trace.spans.length} spans, ${served.length} served by the users API, ${dbSpans.length} on MariaDB and Redis`,
  );
});
