// The docs page at /openapi in a real browser (headless Chromium): Scalar renders the document
// with no request leaving this server, none of its hosted-service buttons, and curl examples
// that name this server (the document's `servers: [{"url": "/"}]`).
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { startBrowser } from "../testing/browser";
import { startTestApi, type TestApi } from "../testing/users-api";

setDefaultTimeout(60_000);
let api: TestApi;
let browser: Awaited<ReturnType<typeof startBrowser>>;
const elsewhere: string[] = [];
let text = "";

beforeAll(async () => {
  api = await startTestApi({});
  browser = await startBrowser({ width: 1280, height: 900 });
  browser.page.on("request", (request) => {
    if (!request.url().startsWith(`${api.base}/`)) elsewhere.push(request.url());
  });
  await browser.page.goto(`${api.base}/openapi`);
  // Rendered: the first operation's curl example is on the page.
  await browser.page.getByText(`curl ${api.base}/init`).first().waitFor({ timeout: 30_000 });
  text = await browser.page.locator("body").innerText();
});
afterAll(async () => {
  await browser?.close();
  await api?.stop();
});

test("the page asks nothing of any other host", () => {
  expect(elsewhere).toEqual([]);
});

test.each(["Ask AI", "Deploy API", "Generate SDK", "Share", "Configure"])(
  "Scalar's hosted-service button %s is not shown",
  (button) => {
    expect(text).not.toContain(button);
  },
);

test("the curl examples name this server", () => {
  const examples = text.match(/^curl \S+/gm) ?? [];
  expect(examples.length).toBeGreaterThan(0);
  for (const example of examples) expect(example).toStartWith(`curl ${api.base}/`);
});
