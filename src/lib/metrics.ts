// Prometheus metrics shared by every command (podinfo's names for the HTTP ones).
// prom-client and its default metrics take about 15 ms to load, a third of a server's
// start-up: the default metrics load once the server listens (loadMetrics). In the echo
// server, which has no metrics of its own, so does prom-client, and only the parts it uses
// (see prom-client-parts.d.ts); users and heartbeat import prom-client for theirs at start.
import type { Registry } from "prom-client";

const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

interface Series {
  labels: { method: string; route: string; status: string };
  status: number;
  count: number;
  sum: number;
  /** Observations per bucket (not cumulative); the last slot is +Inf. */
  buckets: Float64Array;
}

// The request path only bumps numbers in a plain record per series: prom-client's own
// Counter and Histogram validate and hash the labels on every call, a third of the CPU
// time of a small request. The registry reads the records when /metrics is scraped.
// Records are found by route, then method and status: no key string to build per request.
const byRoute = new Map<string, Series[]>();

export function recordRequest(method: string, route: string, status: number, seconds: number) {
  let list = byRoute.get(route);
  if (!list) {
    list = [];
    byRoute.set(route, list);
  }
  let entry: Series | undefined;
  for (const s of list) if (s.status === status && s.labels.method === method) entry = s;
  if (!entry) {
    entry = {
      labels: { method, route, status: String(status) },
      status,
      count: 0,
      sum: 0,
      buckets: new Float64Array(BUCKETS.length + 1),
    };
    list.push(entry);
  }
  entry.count += 1;
  entry.sum += seconds;
  let bucket = 0;
  while (bucket < BUCKETS.length && seconds > (BUCKETS[bucket] as number)) bucket++;
  (entry.buckets[bucket] as number) += 1;
}

const allSeries = () => [...byRoute.values()].flat();

let registry: Promise<Registry> | undefined;
let loaded: Registry | undefined;

/** prom-client's default registry, with the default metrics and the request metrics. */
export function loadMetrics(): Promise<Registry> {
  registry ??= Promise.all([
    import("prom-client/lib/registry"),
    import("prom-client/lib/defaultMetrics"),
  ]).then(([{ globalRegistry }, { default: collectDefaultMetrics }]) => {
    collectDefaultMetrics();
    for (const metric of [...requestMetrics, ...gauges])
      globalRegistry.registerMetric(metric as never);
    loaded = globalRegistry;
    return globalRegistry;
  });
  return registry;
}

const gauges: ReturnType<typeof customMetric>[] = [];

/**
 * A gauge whose values a system keeps in plain numbers (one per value of `label`), read at each
 * scrape like the request metrics: registering it loads no prom-client. Once per process.
 */
export function registerGauge(
  name: string,
  help: string,
  label: string,
  values: () => Record<string, number>,
) {
  const metric = customMetric(name, help, "gauge", () =>
    Object.entries(values()).map(([key, value]) => ({ labels: { [label]: key }, value })),
  );
  // Registered now if the registry is loaded; else loadMetrics registers it with the others.
  if (loaded) loaded.registerMetric(metric as never);
  else gauges.push(metric);
}

/** A metric the prom-client registry can print: `get()` returns its current values. */
function customMetric(
  name: string,
  help: string,
  type: "counter" | "gauge" | "histogram",
  values: () => object[],
) {
  return {
    name,
    help,
    type,
    aggregator: "sum",
    get: async () => ({ name, help, type, aggregator: "sum", values: values() }),
    reset() {},
  };
}

const requestMetrics = [
  customMetric("http_requests_total", "HTTP requests by method, route and status.", "counter", () =>
    allSeries().map(({ labels, count }) => ({ labels, value: count })),
  ),
  customMetric(
    "http_request_duration_seconds",
    "HTTP request durations by method, route and status.",
    "histogram",
    () =>
      allSeries().flatMap(({ labels, count, sum, buckets }) => {
        let cumulative = 0;
        const rows = BUCKETS.map((le, i) => {
          cumulative += buckets[i] as number;
          return {
            metricName: "http_request_duration_seconds_bucket",
            labels: { ...labels, le },
            value: cumulative,
          };
        });
        return [
          ...rows,
          {
            metricName: "http_request_duration_seconds_bucket",
            labels: { ...labels, le: "+Inf" },
            value: count,
          },
          { metricName: "http_request_duration_seconds_sum", labels, value: sum },
          { metricName: "http_request_duration_seconds_count", labels, value: count },
        ];
      }),
  ),
];
