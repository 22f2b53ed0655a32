// `demo check heartbeat`: reports without the token are refused, bad ones get 400/422, and
// at least one client is UP with its CPU/memory report received (clients send one at start,
// then every 20 s: the wait covers a client that is still starting).
import { seconds, T } from "../lib/config";
import { sleep } from "../lib/lifecycle";
import { tracedFetch } from "../lib/tracing";
import { CheckFailed, expectJson } from "./expect";

/** Variables of this check, listed by `demo check --help` with the others. */
export const heartbeatCheckEnv = {
  HEARTBEAT_TOKEN: T.String({
    default: "",
    description: "heartbeat: the clients' shared token (needed by `check heartbeat`)",
  }),
  HEARTBEAT_CHECK_WAIT: seconds(60, "heartbeat: how long to wait for a client UP with metrics"),
};

interface ClientsAnswer {
  clients: Array<{ clientId: string; state: string; metrics: unknown }>;
}

type HeartbeatCheckConfig = (typeof heartbeatCheckEnvSchema)["static"];
const heartbeatCheckEnvSchema = T.Object(heartbeatCheckEnv);

export async function checkHeartbeat(baseUrl: string, config: HeartbeatCheckConfig) {
  const token = config.HEARTBEAT_TOKEN;
  if (!token) throw new CheckFailed("HEARTBEAT_TOKEN is not set: the check needs the shared token");
  const auth = { authorization: `Bearer ${token}` };

  await expectJson(baseUrl, "POST /heartbeat", { status: 401 }, {});
  await expectJson(
    baseUrl,
    "POST /metrics",
    { status: 401 },
    {},
    { authorization: "Bearer not-it" },
  );
  await expectTokenAccepted(baseUrl, auth);
  await expectJson(baseUrl, "POST /heartbeat", { status: 422 }, { clientId: "check" }, auth);
  await expectMalformedIs400(baseUrl, auth);

  const client = await waitForReportingClient(baseUrl, config.HEARTBEAT_CHECK_WAIT * 1000);
  console.log(`ok   client ${client} is UP and its metrics arrived`);

  const metrics = await (await tracedFetch(new URL("/metrics", baseUrl))).text();
  if (!metrics.includes(`heartbeat_client_up{client_id="${client}"} 1`))
    throw new CheckFailed(`GET /metrics: no heartbeat_client_up series of ${client} equal to 1`);
  console.log("ok   GET /metrics -> per-client series");
  const page = await tracedFetch(new URL("/", baseUrl));
  if (!page.ok || !(await page.text()).includes("EventSource"))
    throw new CheckFailed(`GET /: status ${page.status}, expected the dashboard page`);
  console.log("ok   GET / -> dashboard");
}

/** POST /heartbeat with a raw body and the token; the answer's status. */
async function postRawHeartbeat(baseUrl: string, auth: Record<string, string>, body: string) {
  const response = await tracedFetch(new URL("/heartbeat", baseUrl), {
    method: "POST",
    headers: { "content-type": "application/json", ...auth },
    body,
    signal: AbortSignal.timeout(10_000),
  });
  return response.status;
}

/** A wrong HEARTBEAT_TOKEN is the likeliest mistake: say so, not "status 401, expected 422". */
async function expectTokenAccepted(baseUrl: string, auth: Record<string, string>) {
  if ((await postRawHeartbeat(baseUrl, auth, "{}")) === 401)
    throw new CheckFailed(
      "token rejected: the server answered 401 to HEARTBEAT_TOKEN; it is not the clients' shared token",
    );
  console.log("ok   POST /heartbeat with HEARTBEAT_TOKEN -> token accepted");
}

async function expectMalformedIs400(baseUrl: string, auth: Record<string, string>) {
  const status = await postRawHeartbeat(baseUrl, auth, '{"clientId":');
  if (status !== 400)
    throw new CheckFailed(`POST /heartbeat with malformed JSON: status ${status}, expected 400`);
  console.log("ok   POST /heartbeat (malformed JSON) -> 400");
}

/** Polls GET /clients until one client is UP with metrics; returns its id. */
async function waitForReportingClient(baseUrl: string, waitMs: number) {
  const deadline = Date.now() + waitMs;
  let last: ClientsAnswer | undefined;
  for (;;) {
    last = (await expectJson(baseUrl, "GET /clients", { status: 200 })) as ClientsAnswer;
    const ready = last.clients.find((c) => c.state === "UP" && c.metrics !== null);
    if (ready) return ready.clientId;
    if (Date.now() > deadline) break;
    await sleep(2_000);
  }
  const seen = last.clients.map(
    (c) => `${c.clientId} ${c.state}${c.metrics ? " with metrics" : ""}`,
  );
  throw new CheckFailed(
    `no client UP with metrics within ${waitMs / 1000} s; clients: ${seen.join(", ") || "none"}`,
  );
}
