// Holds the GitHub workflows to the rules of issue 11, so that they stay true:
//   - every action is pinned by a full commit SHA, with its version in a comment
//     (`uses: actions/checkout@<40 hex> # v7.0.1`); local actions (./) and
//     docker://image@sha256:<digest> are fine, a tag or branch (`@v4`, `@main`) is not;
//   - every job has `timeout-minutes` and its own `permissions:` (least privilege per job);
//   - every workflow has a top-level `permissions:` and `concurrency:`, and
//     `defaults: run: shell: bash`: a step without `shell:` otherwise runs as `bash -e {0}`,
//     without pipefail, so `publish.sh | tee` passes when publish.sh fails; with `shell: bash`
//     GitHub runs `bash --noprofile --norc -eo pipefail {0}`. A job's or step's own `shell:`
//     must not take that back (`sh`, or a custom bash/sh command line without pipefail);
//   - no workflow repeats a version pinned in scripts/tools.sh or scripts/cluster/lib.sh: it
//     reads them through scripts/ci/versions.sh instead.
//
//   bun scripts/verify/check-workflows.ts [FILE...]    (default: .github/workflows/*.y{a,}ml)
//
// Prints one `file:line: problem` per finding and exits 1 if there is any.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

export interface Finding {
  file: string;
  line: number;
  message: string;
}

/** A pinned version from scripts/ci/versions.sh, e.g. { name: "helm", value: "v4.3.1" }. */
export interface PinnedVersion {
  name: string;
  value: string;
}

const SHA = /^[0-9a-f]{40}$/;
const VERSION_COMMENT = /^v?\d+(\.\d+){0,2}\b/;
const USES = /^\s*(?:-\s+)?uses:\s*(["']?)([^"'\s#]+)\1\s*(?:#\s*(.*))?$/;
const SHELL = /^\s*(?:-\s+)?shell:\s*(["']?)(.*?)\1\s*(?:#.*)?$/;

/** Whether a `shell:` value runs a step's pipelines without pipefail (sh, or `bash -e {0}`). */
const withoutPipefail = (shell: string) =>
  shell === "sh" || (/^(ba)?sh\s/.test(shell) && !/\bpipefail\b/.test(shell));

type Job = Record<string, unknown>;

/** Line number (1-based) of each job key under the top-level `jobs:`. */
function jobLines(lines: string[]) {
  const found = new Map<string, number>();
  const start = lines.findIndex((l) => /^jobs:\s*(#.*)?$/.test(l));
  if (start < 0) return found;
  let indent = -1;
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (/^\s*(#.*)?$/.test(line)) continue;
    const spaces = line.length - line.trimStart().length;
    if (spaces === 0) break;
    if (indent < 0) indent = spaces;
    const key = spaces === indent ? /^\s*([A-Za-z_][\w-]*):\s*(#.*)?$/.exec(line) : null;
    if (key?.[1]) found.set(key[1], i + 1);
  }
  return found;
}

/** The line with its YAML comment removed (a `#` after whitespace, outside quotes). */
function withoutComment(line: string) {
  let quote = "";
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = "";
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "#" && (i === 0 || /\s/.test(line[i - 1] ?? ""))) return line.slice(0, i);
  }
  return line;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The findings for one workflow file's text. */
export function checkWorkflow(file: string, text: string, pinned: PinnedVersion[] = []): Finding[] {
  const findings: Finding[] = [];
  const add = (line: number, message: string) => findings.push({ file, line, message });
  const lines = text.split("\n");

  lines.forEach((line, i) => {
    const m = USES.exec(line);
    if (!m) return;
    const ref = m[2] ?? "";
    const comment = (m[3] ?? "").trim();
    if (ref.startsWith("./")) return;
    if (ref.startsWith("docker://")) {
      if (!/@sha256:[0-9a-f]{64}$/.test(ref))
        add(i + 1, `${ref} is not pinned by digest (docker://image@sha256:...)`);
      return;
    }
    const at = ref.lastIndexOf("@");
    const version = at < 0 ? "" : ref.slice(at + 1);
    if (!SHA.test(version)) {
      add(
        i + 1,
        `${ref} is not pinned by a full commit SHA (use ${at < 0 ? ref : ref.slice(0, at)}@<40-hex SHA> # <version>)`,
      );
      return;
    }
    if (!VERSION_COMMENT.test(comment))
      add(i + 1, `${ref} has no version comment (add "# vX.Y.Z", the tag that SHA is)`);
  });

  lines.forEach((line, i) => {
    const shell = SHELL.exec(line)?.[2]?.trim() ?? "";
    if (withoutPipefail(shell))
      add(i + 1, `shell: ${shell} runs without pipefail (use shell: bash)`);
  });

  let doc: Record<string, unknown>;
  try {
    doc = (Bun.YAML.parse(text) ?? {}) as Record<string, unknown>;
  } catch (e) {
    add(1, `not valid YAML: ${(e as Error).message}`);
    return findings;
  }
  if (!("permissions" in doc))
    add(1, "no top-level permissions: (set `permissions: {}` and grant each job its own)");
  if (!("concurrency" in doc)) add(1, "no top-level concurrency: (one run per ref)");
  const defaults = doc.defaults as { run?: { shell?: unknown } } | undefined;
  if (defaults?.run?.shell !== "bash")
    add(
      1,
      "no top-level `defaults: run: shell: bash` (without it a run: step is `bash -e {0}`, no pipefail)",
    );

  const jobs = (doc.jobs ?? {}) as Record<string, Job>;
  const where = jobLines(lines);
  for (const [id, job] of Object.entries(jobs)) {
    const line = where.get(id) ?? 1;
    // A job that calls a reusable workflow takes neither timeout-minutes nor steps.
    const reusable = typeof job?.uses === "string";
    if (!reusable && !("timeout-minutes" in (job ?? {})))
      add(line, `job ${id} has no timeout-minutes`);
    if (!("permissions" in (job ?? {})))
      add(line, `job ${id} has no permissions: of its own (least privilege per job)`);
  }

  for (const { name, value } of pinned) {
    // Only versions that cannot be mistaken for something else: with a dot and 5+ characters.
    if (!/\d\.\d/.test(value) || value.length < 5) continue;
    const bare = value.replace(/^v/, "");
    const pattern = new RegExp(`(^|[^\\w.])v?${escapeRegExp(bare)}(?![\\w.])`);
    lines.forEach((line, i) => {
      if (pattern.test(withoutComment(line)))
        add(
          i + 1,
          `repeats ${name} ${value}: read it from scripts/ci/versions.sh (steps.<id>.outputs.${name})`,
        );
    });
  }
  return findings.sort((a, b) => a.line - b.line);
}

/** The pinned versions, from scripts/ci/versions.sh. */
export function pinnedVersions(root: string): PinnedVersion[] {
  const out = Bun.spawnSync(["bash", join(root, "scripts/ci/versions.sh")], { stderr: "inherit" });
  if (out.exitCode !== 0) throw new Error("scripts/ci/versions.sh failed");
  return out.stdout
    .toString()
    .split("\n")
    .filter((l) => l.includes("="))
    .map((l) => {
      const eq = l.indexOf("=");
      return { name: l.slice(0, eq), value: l.slice(eq + 1) };
    });
}

export function main(argv: string[]) {
  const root = join(import.meta.dir, "../..");
  const dir = join(root, ".github/workflows");
  const files = argv.length
    ? argv
    : readdirSync(dir)
        .filter((f) => /\.ya?ml$/.test(f))
        .sort()
        .map((f) => join(dir, f));
  const pinned = pinnedVersions(root);
  // Paths inside the working directory are shown relative to it, others as given.
  const shown = (f: string) => {
    const rel = relative(process.cwd(), f);
    return rel && !rel.startsWith("..") ? rel : f;
  };
  const findings = files.flatMap((f) => checkWorkflow(shown(f), readFileSync(f, "utf8"), pinned));
  for (const f of findings) console.error(`${f.file}:${f.line}: ${f.message}`);
  if (findings.length) {
    console.error(`check-workflows: ${findings.length} problem(s) in ${files.length} file(s)`);
    return 1;
  }
  console.log(
    `check-workflows: ${files.length} workflow(s): every action pinned by SHA, every job with timeout-minutes and permissions, bash with pipefail, no repeated tool version`,
  );
  return 0;
}

if (import.meta.main) process.exit(main(process.argv.slice(2)));
