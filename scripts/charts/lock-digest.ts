// The `digest:` helm writes in a Chart.lock, computed offline from Chart.yaml and the lock.
// helm (pkg/downloader/manager.go, HashReq) hashes the JSON of [Chart.yaml's dependencies,
// the lock's dependencies] as Go's encoding/json writes chart.Dependency (its field order,
// omitempty fields left out when empty) and refuses `helm dependency build` when the lock's
// digest differs. `helm dependency update` would rewrite it, but it also downloads every
// dependency: scripts/release.sh changes the in-tree demo-lib's version offline.
//
//   bun scripts/charts/lock-digest.ts CHART_DIR          prints the digest; exits 1 if the lock's differs
//   bun scripts/charts/lock-digest.ts --write CHART_DIR  sets it in CHART_DIR/Chart.lock
// Callers: scripts/charts/checks/01-versions.sh, scripts/update.sh, scripts/release.sh.
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

type Dependency = Record<string, unknown>;

// chart.Dependency's JSON fields in Go's order; name, version and repository have no omitempty.
const FIELDS = [
  "name",
  "version",
  "repository",
  "condition",
  "tags",
  "enabled",
  "import-values",
  "alias",
];
const ALWAYS = 3;

const empty = (v: unknown) =>
  v === undefined || v === null || v === "" || v === false || (Array.isArray(v) && v.length === 0);

function goJson(dependency: Dependency): Dependency {
  const out: Dependency = {};
  FIELDS.forEach((field, i) => {
    const value = dependency[field];
    if (i < ALWAYS) out[field] = empty(value) ? "" : value;
    else if (!empty(value)) out[field] = value;
  });
  return out;
}

/** helm's digest of a chart's dependencies (Chart.yaml) and their locked versions (Chart.lock). */
export function lockDigest(required: Dependency[], locked: Dependency[]): string {
  // Go escapes <, > and & in JSON strings; JSON.stringify does not.
  const json = JSON.stringify([required.map(goJson), locked.map(goJson)]).replace(
    /[<>&]/g,
    (c) => `\\u00${c.charCodeAt(0).toString(16)}`,
  );
  return `sha256:${createHash("sha256").update(json).digest("hex")}`;
}

const dependencies = (file: string) =>
  ((Bun.YAML.parse(readFileSync(file, "utf8")) as { dependencies?: Dependency[] }).dependencies ??
    []) as Dependency[];

/** The digest CHART_DIR's Chart.lock should have, and the one it has. */
export function chartLock(dir: string) {
  const lock = readFileSync(join(dir, "Chart.lock"), "utf8");
  const want = lockDigest(
    dependencies(join(dir, "Chart.yaml")),
    dependencies(join(dir, "Chart.lock")),
  );
  return { want, has: /^digest: (\S+)$/m.exec(lock)?.[1], lock };
}

if (import.meta.main) {
  const write = process.argv.includes("--write");
  const dir = process.argv.slice(2).find((a) => a !== "--write");
  if (!dir) throw new Error("usage: bun scripts/charts/lock-digest.ts [--write] CHART_DIR");
  const { want, has, lock } = chartLock(dir);
  if (write && has !== want) {
    writeFileSync(join(dir, "Chart.lock"), lock.replace(/^digest: \S+$/m, `digest: ${want}`));
    console.error(`${dir}/Chart.lock: digest set to ${want}`);
  } else if (has !== want) {
    console.error(
      `${dir}/Chart.lock: digest ${has}, its dependencies give ${want} (npm run update)`,
    );
    process.exitCode = 1;
  }
  console.log(want);
}
