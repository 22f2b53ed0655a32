// The dashboard in a real browser: Debian's headless Chromium, driven by playwright-core,
// watches a client go LOST and come back. Screenshots land in test-artifacts/.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { createLogger } from "../lib/log";
import { type HeartbeatClientConfig, runHeartbeatClient } from "./client";
import { createHeartbeatServer } from "./server";

setDefaultTimeout(30_000);

const CHROMIUM = "/usr/bin/chromium";
const artifacts = resolve(import.meta.dir, "../../test-artifacts");
const TOKEN = "dashboard-test-token";
const stop = new AbortController();
// Warnings and errors only: every acknowledgement of four clients would bury the test output.
const log = { ...createLogger("dashboard-test"), debug: () => {}, info: () => {} };

const { app } = createHeartbeatServer({
  config: {
    HEARTBEAT_TOKEN: TOKEN,
    HEARTBEAT_INTERVAL: 0.2,
    HEARTBEAT_LOST_REPEAT: 10,
    HEARTBEAT_FORGET_AFTER: 600,
  },
  log,
  signal: stop.signal,
});
const server = app.listen({ port: 0, hostname: "127.0.0.1" });
const base = `http://127.0.0.1:${server.server?.port}`;

/** A real client in this process (real probe, real HTTP); abort its signal to kill it. */
function startClient(id: string, node: string) {
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
    PORT: 0,
    LOG_LEVEL: "warn",
    LOG_FORMAT: "json",
  };
  runHeartbeatClient(config, log, controller.signal);
  return controller;
}

let context: BrowserContext;
let page: Page;
let profile: string;
const clients = new Map<string, AbortController>();

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `${CHROMIUM} is missing: install Debian's browser with apt-get install -y chromium`,
    );
  mkdirSync(artifacts, { recursive: true });
  profile = mkdtempSync(join(tmpdir(), "chromium-profile-"));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1480, height: 320 },
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  page = context.pages()[0] ?? (await context.newPage());
  for (const [id, node] of [
    ["api-7f9c", "node-a"],
    ["worker-2b41", "node-b"],
    ["worker-5d0e", "node-a"],
  ] as const)
    clients.set(id, startClient(id, node));
});

afterAll(async () => {
  await context?.close();
  stop.abort();
  server.stop(true);
  if (profile) rmSync(profile, { recursive: true, force: true });
});

const row = (id: string, state?: string) =>
  page.locator(`tr[data-client="${id}"]${state ? `[data-state="${state}"]` : ""}`);

describe("heartbeat dashboard in Chromium", () => {
  test("shows every client UP, live, with CPU and memory sparklines", async () => {
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
    expect(await row("api-7f9c").locator(".node-name").textContent()).toBe("on node-a");
    expect(await row("api-7f9c").locator("td").nth(2).textContent()).toMatch(/^\d+\.\d s ago$/);
  });

  test("shows a client go LOST when it stops, and UP again when it returns", async () => {
    clients.get("worker-2b41")?.abort();
    await row("worker-2b41", "LOST").waitFor({ timeout: 5_000 });
    expect(await page.locator("#count-LOST").textContent()).toBe("1");
    expect(await row("worker-2b41").locator(".state").textContent()).toBe("LOST");
    await Bun.sleep(1_200); // let the last-seen age grow a little for the picture
    await page.screenshot({ path: join(artifacts, "heartbeat-dashboard.png") });

    clients.set("worker-2b41", startClient("worker-2b41", "node-b"));
    await row("worker-2b41", "UP").waitFor({ timeout: 5_000 });
    expect(await page.locator("#count-LOST").textContent()).toBe("0");
    // One loss, one restart (a new process comes back with a new boot id).
    expect(await row("worker-2b41").locator("td").last().textContent()).toBe("1 / 1");
    await page.screenshot({ path: join(artifacts, "heartbeat-dashboard-back.png") });
  });
});
