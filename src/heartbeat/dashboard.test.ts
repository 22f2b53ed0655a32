// The dashboard in a real browser: Debian's headless Chromium, driven by playwright-core, at
// 1280 px with pod-name ids: a client goes LOST and comes back, one leaves, then the server
// goes away. Screenshots land in test-artifacts/.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Page } from "playwright-core";
import { readConfig, T, tracingEnv } from "../lib/config";
import { startBrowser } from "../testing/browser";
import { recordingLogger } from "../testing/logger";
import { serveOnFreePort } from "../testing/serve";
import { type HeartbeatClientConfig, runHeartbeatClient } from "./client";
import { createHeartbeatServer } from "./server";

setDefaultTimeout(30_000);

const artifacts = resolve(import.meta.dir, "../../test-artifacts");
const TOKEN = "dashboard-test-token";
const stop = new AbortController();
// Recorded, not printed: every acknowledgement of four clients would bury the test output.
const log = recordingLogger();

const { app, registry } = createHeartbeatServer({
  config: {
    HEARTBEAT_TOKEN: TOKEN,
    HEARTBEAT_INTERVAL: 0.2,
    HEARTBEAT_LOST_REPEAT: 10,
    HEARTBEAT_FORGET_AFTER: 600,
  },
  log,
  signal: stop.signal,
});
const { base } = serveOnFreePort(app);

/**
 * A real client in this process (real probe, real HTTP). Abort its signal to stop it: with
 * `goodbye` it says so (SIGTERM), without it is as good as killed.
 */
function startClient(id: string, node: string, goodbye = false) {
  const controller = new AbortController();
  stop.signal.addEventListener("abort", () => controller.abort());
  const config: HeartbeatClientConfig = {
    SERVER_URL: base,
    HEARTBEAT_TOKEN: TOKEN,
    CLIENT_ID: id,
    POD_NAME: "",
    NODE_NAME: node,
    HEARTBEAT_INTERVAL: 0.2,
    METRICS_INTERVAL: 0.3,
    REQUEST_TIMEOUT_SECONDS: 2,
    ACK_SUMMARY_INTERVAL: 60,
    ...readConfig(T.Object(tracingEnv), {}),
    PORT: 0,
    LOG_LEVEL: "warn",
    LOG_FORMAT: "json",
  };
  runHeartbeatClient(config, log, controller.signal, { goodbye });
  return controller;
}

const STATEFUL_0 = "demo-heartbeat-client-0";
const STATEFUL_1 = "demo-heartbeat-client-1";
const DEPLOYED = "demo-heartbeat-client-7d9f8c6b5d-x2k4l";
const NODE_A = "ip-10-0-12-34.eu-west-1.compute.internal";
const NODE_B = "ip-10-0-56-78.eu-west-1.compute.internal";
// DaemonSet mode: the client's id is its node's name.
const DAEMON = "ip-10-0-129-201.eu-west-1.compute.internal";

let browser: Awaited<ReturnType<typeof startBrowser>> | undefined;
let page: Page;
const clients = new Map<string, AbortController>();

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  browser = await startBrowser({ width: 1280, height: 340 });
  page = browser.page;
  // Real ids: the chart's StatefulSet pod names, and a Deployment's (the longest kind).
  for (const [id, node] of [
    [STATEFUL_0, NODE_A],
    [STATEFUL_1, NODE_B],
    [DEPLOYED, NODE_A],
  ] as const)
    clients.set(id, startClient(id, node, id === DEPLOYED));
});

afterAll(async () => {
  await browser?.close();
  stop.abort();
  if (app.server) app.stop(true); // the last test stops it
});

const row = (id: string, state?: string) =>
  page.locator(`tr[data-client="${id}"]${state ? `[data-state="${state}"]` : ""}`);

/**
 * What does not fit the 1280 px viewport: the page overflowing sideways, a column ending past
 * the viewport's edge, a cell (or a line of the client cell) whose text is cut. Empty: it fits.
 */
const cut = () =>
  page.evaluate(() => {
    const problems: string[] = [];
    const { scrollWidth, clientWidth } = document.documentElement;
    if (scrollWidth > clientWidth) problems.push(`page ${scrollWidth} px wide in ${clientWidth}`);
    const boxes = document.querySelectorAll("th, td, td.client > div");
    for (const box of boxes) {
      const { right } = box.getBoundingClientRect();
      const where = `${box.tagName.toLowerCase()} "${box.textContent}"`;
      if (right > clientWidth) problems.push(`${where} ends at ${Math.ceil(right)} px`);
      if (box.scrollWidth > box.clientWidth)
        problems.push(`${where} cut: ${box.scrollWidth} px in ${box.clientWidth}`);
    }
    return problems;
  });

describe("heartbeat dashboard in Chromium", () => {
  test("shows every client UP, live, with CPU and memory sparklines, within 1280 px", async () => {
    await page.goto(`${base}/`);
    await page.locator("#connection.live").waitFor();
    for (const id of clients.keys()) await row(id, "UP").waitFor();
    // Several reports in: each sparkline has drawn a line.
    await page.waitForFunction(() =>
      [...document.querySelectorAll("tbody polyline")].every(
        (line) => (line.getAttribute("points") ?? "").split(" ").length >= 5,
      ),
    );
    expect(await page.locator("#count-UP").textContent()).toBe("3");
    expect(await row(STATEFUL_0).locator(".node-name").textContent()).toBe(`on ${NODE_A}`);
    expect(await row(STATEFUL_0).locator("td").nth(2).textContent()).toMatch(/^\d+\.\d s ago$/);
    expect(await cut()).toEqual([]);
  });

  test("dims what a LOST client last reported, and shows it UP again when it returns", async () => {
    clients.get(STATEFUL_1)?.abort();
    await row(STATEFUL_1, "LOST").waitFor({ timeout: 5_000 });
    expect(await page.locator("#count-LOST").textContent()).toBe("1");
    expect(await row(STATEFUL_1).locator(".state").textContent()).toBe("LOST");
    const opacity = (id: string) =>
      row(id)
        .locator(".metric")
        .first()
        .evaluate((node) => getComputedStyle(node).opacity);
    expect(Number(await opacity(STATEFUL_1))).toBeLessThan(0.5);
    expect(await opacity(STATEFUL_0)).toBe("1");
    await Bun.sleep(1_200); // let the last-seen age grow a little for the picture
    await page.screenshot({ path: join(artifacts, "heartbeat-dashboard.png") });

    clients.set(STATEFUL_1, startClient(STATEFUL_1, NODE_B));
    await row(STATEFUL_1, "UP").waitFor({ timeout: 5_000 });
    expect(await page.locator("#count-LOST").textContent()).toBe("0");
    // One loss, one restart (a new process comes back with a new boot id).
    expect(await row(STATEFUL_1).locator("td").last().textContent()).toBe("1 / 1");
    await page.screenshot({ path: join(artifacts, "heartbeat-dashboard-back.png") });
  });

  test("shows a client that said goodbye as LEFT, not LOST", async () => {
    clients.get(DEPLOYED)?.abort();
    await row(DEPLOYED, "LEFT").waitFor({ timeout: 5_000 });
    expect(await page.locator("#count-LEFT").textContent()).toBe("1");
    expect(await page.locator("#count-LOST").textContent()).toBe("0");
  });

  test("fits 1280 px with a node name as id (DaemonSet mode) and a client LOST for minutes", async () => {
    // As another replica of the Redis store shares it: never seen here, LOST 72 s ago.
    const lastSeen = registry.now() - 72_000;
    registry.applyRecord({
      id: DAEMON,
      node: DAEMON,
      bootId: "boot-1",
      seq: 4_321,
      intervalMs: 3_000,
      state: "LOST",
      missed: 23,
      firstSeen: lastSeen - 3_600_000,
      lastSeen,
      stateSince: lastSeen + 9_750,
      nextLostLogAt: registry.now() + 10_000,
      lostCount: 12,
      restarts: 34,
      metrics: {
        clientId: DAEMON,
        bootId: "boot-1",
        sentAt: lastSeen,
        receivedAt: lastSeen,
        // The widest values each column shows.
        node: { cpuPercent: 100, memoryUsedBytes: 8e9, memoryTotalBytes: 8e9 },
        container: {
          cgroup: "v2",
          cpuPercent: 399.9,
          memoryBytes: 1023.9 * 2 ** 20,
          memoryLimitBytes: null,
        },
      },
    });
    await row(DAEMON, "LOST").waitFor();
    expect(await row(DAEMON).locator("td").nth(2).textContent()).toMatch(/^1 min 1\d s ago$/);
    expect(await row(DAEMON).locator("td").last().textContent()).toBe("12 / 34");
    // The id whole, not cut: the node's name is what tells DaemonSet clients apart.
    expect(await row(DAEMON).locator(".id").textContent()).toBe(DAEMON);
    expect(await row(DAEMON).locator(".node-name").textContent()).toBe("");
    expect(await cut()).toEqual([]);
    await page.screenshot({ path: join(artifacts, "heartbeat-dashboard-daemonset.png") });
  });

  test("says so when the server is unreachable, and greys out every state", async () => {
    app.stop(true);
    await page.locator("#connection.down").waitFor({ timeout: 10_000 });
    expect(await page.locator("#connection").textContent()).toContain("server unreachable since");
    expect(await page.locator("#offline").isVisible()).toBe(true);
    await page.screenshot({ path: join(artifacts, "heartbeat-dashboard-unreachable.png") });
  });
});
