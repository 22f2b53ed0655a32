// The API reference page at /openapi: Scalar's standalone script from the pinned npm package
// @scalar/api-reference, embedded in the binary (no CDN: it works in a cluster without
// internet), reading the document at /openapi/json. No default fonts: Scalar would fetch
// them from fonts.scalar.com; the page uses the browser's own.
import scalarScript from "../../node_modules/@scalar/api-reference/dist/browser/standalone.js" with {
  type: "file",
};

export const DOCS_PATH = "/openapi";
export const DOCUMENT_PATH = `${DOCS_PATH}/json`;
export const SCRIPT_PATH = `${DOCS_PATH}/scalar.js`;

// Nothing that calls outside the cluster: no telemetry, no "Ask AI" agent (Scalar's hosted
// chat), no MCP, no developer toolbar (Scalar shows it on localhost: "Deploy API", "Generate
// SDK", "Share", "Configure", each a call to scalar.com). "Test request" stays: it calls this
// server, the document's `servers` ("/").
export const SCALAR_CONFIGURATION = {
  url: DOCUMENT_PATH,
  withDefaultFonts: false,
  telemetry: false,
  hideClientButton: true,
  showDeveloperTools: "never",
  agent: { disabled: true },
  mcp: { disabled: true },
};
const configuration = JSON.stringify(SCALAR_CONFIGURATION);

/** The page: a title, Scalar's configuration and its script, all from this server. */
export function docsPage(title: string) {
  const escaped = title.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${escaped}</title>
  </head>
  <body>
    <script id="api-reference" data-configuration='${configuration}'></script>
    <script src="${SCRIPT_PATH}"></script>
  </body>
</html>
`;
}

/** The embedded script; revalidated by browsers (its URL stays the same across versions). */
export const docsScript = () =>
  new Response(Bun.file(scalarScript), {
    headers: { "content-type": "text/javascript;charset=utf-8", "cache-control": "no-cache" },
  });
