// Types for the two prom-client modules lib/metrics.ts loads on their own (prom-client's
// index also loads its Pushgateway and cluster aggregator: node:http, https and zlib, about
// 6 MB of memory a server never uses). Both are the same objects the index exports.
declare module "prom-client/lib/registry" {
  import type { Registry } from "prom-client";
  export const globalRegistry: Registry;
}

declare module "prom-client/lib/defaultMetrics" {
  import type { collectDefaultMetrics } from "prom-client";

  const collect: typeof collectDefaultMetrics;
  export default collect;
}
