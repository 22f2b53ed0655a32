// Prometheus metrics shared by every command (podinfo's names for the HTTP ones).
import { Counter, collectDefaultMetrics, Histogram, register } from "prom-client";

collectDefaultMetrics();

export { register };

const requests = new Counter({
  name: "http_requests_total",
  help: "HTTP requests by method, route and status.",
  labelNames: ["method", "route", "status"] as const,
});

const durations = new Histogram({
  name: "http_request_duration_seconds",
  help: "HTTP request durations by method, route and status.",
  labelNames: ["method", "route", "status"] as const,
  buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
});

// Label children cached per series: the hot path then skips prom-client's label hashing.
const series = new Map<string, { count: () => void; observe: (seconds: number) => void }>();

export function recordRequest(method: string, route: string, status: number, seconds: number) {
  const key = `${method} ${route} ${status}`;
  let child = series.get(key);
  if (!child) {
    const labels = { method, route, status: String(status) };
    const counter = requests.labels(labels);
    const histogram = durations.labels(labels);
    child = { count: () => counter.inc(), observe: (value) => histogram.observe(value) };
    series.set(key, child);
  }
  child.count();
  child.observe(seconds);
}
