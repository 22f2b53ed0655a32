// `demo check <component> [url]`: the end-to-end check `helm test` runs in the cluster.

import { SpanKind } from "@opentelemetry/api";
import { defineCommand } from "../lib/command";
import { seconds, T, telemetryEnv } from "../lib/config";
import { sleep } from "../lib/lifecycle";
import { inSpan } from "../lib/tracing";
import { checkEcho } from "./echo";
import { CheckFailed } from "./expect";
import { checkHeartbeat, heartbeatCheckEnv } from "./heartbeat";
import { checkUsers } from "./users";

export const checkEnv = T.Object({
  CHECK_URL: T.String({
    default: "",
    description: "base URL of the service to check (or the [url] argument)",
  }),
  CHECK_TIMEOUT_SECONDS: seconds(60, "how long to wait for the service to answer /healthz"),
  ...heartbeatCheckEnv,
  ...telemetryEnv,
});
export type CheckConfig = (typeof checkEnv)["static"];

/** Each component's check, given the parsed configuration of `demo check`. */
export const checks: Record<string, (baseUrl: string, config: CheckConfig) => Promise<void>> = {
  echo: checkEcho,
  heartbeat: checkHeartbeat,
  users: checkUsers,
};

export const check = defineCommand({
  summary: "checks a running component end to end and exits non-zero on any mismatch",
  args: `<${Object.keys(checks).join("|")}> [url]`,
  env: checkEnv,
  async run(config, [component = "", url = config.CHECK_URL]) {
    const run = checks[component];
    if (!run) {
      console.error(
        `demo check: unknown component "${component}"; expected one of ${Object.keys(checks).join(", ")}`,
      );
      return 2;
    }
    if (!url) {
      console.error("demo check: no URL; set CHECK_URL or pass it after the component");
      return 2;
    }
    try {
      await waitUntilUp(url, config.CHECK_TIMEOUT_SECONDS * 1000);
      // One trace for the whole check: each request below is a child of this span.
      await inSpan(`check ${component}`, { "url.full": url }, SpanKind.INTERNAL, () =>
        run(url, config),
      );
    } catch (error) {
      console.error(
        `FAIL ${component} at ${url}: ${error instanceof Error ? error.message : error}`,
      );
      return 1;
    }
    console.log(`PASS ${component} at ${url}`);
    return 0;
  },
});

async function waitUntilUp(baseUrl: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(new URL("/healthz", baseUrl), {
        signal: AbortSignal.timeout(2_000),
      });
      if (response.ok) return;
    } catch (error) {
      if (Date.now() > deadline)
        throw new CheckFailed(`not reachable within ${timeoutMs / 1000} s: ${error}`);
    }
    if (Date.now() > deadline)
      throw new CheckFailed(`/healthz did not answer 200 within ${timeoutMs / 1000} s`);
    await sleep(1_000);
  }
}
