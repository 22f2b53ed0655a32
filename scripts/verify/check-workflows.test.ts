// scripts/verify/check-workflows.ts: passes on the repository's workflows, and fails, naming the
// line, on a workflow with an unpinned action, a job without timeout-minutes or permissions,
// a step shell without pipefail, or a repeated tool version.
import { describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkWorkflow } from "./check-workflows";

const root = join(import.meta.dir, "../..");
const script = join(import.meta.dir, "check-workflows.ts");
const SHA = "3d3c42e5aac5ba805825da76410c181273ba90b1";

const good = `name: t
on: push
permissions: {}
concurrency:
  group: t-\${{ github.ref }}
defaults:
  run:
    shell: bash
jobs:
  build:
    runs-on: ubuntu-24.04
    timeout-minutes: 5
    permissions:
      contents: read
    steps:
      - uses: actions/checkout@${SHA} # v7.0.1
      - uses: ./.github/actions/local
      - run: echo ok
`;

function run(...args: string[]) {
  const p = Bun.spawnSync([process.execPath, script, ...args], {
    cwd: root,
    stderr: "pipe",
    stdout: "pipe",
  });
  return { code: p.exitCode, out: p.stdout.toString() + p.stderr.toString() };
}

function tempWorkflow(text: string) {
  const file = join(mkdtempSync(join(tmpdir(), "check-workflows-")), "unpinned.yaml");
  writeFileSync(file, text);
  return file;
}

describe("check-workflows", () => {
  test("the repository's workflows pass", () => {
    const { code, out } = run();
    expect(out).toContain("every action pinned by SHA");
    expect(code).toBe(0);
  });

  test("a workflow using actions/checkout@v4 fails, naming the file and the line", () => {
    const file = tempWorkflow(good.replace(`checkout@${SHA} # v7.0.1`, "checkout@v4"));
    const { code, out } = run(file);
    expect(code).toBe(1);
    expect(out).toContain(
      `${file}:16: actions/checkout@v4 is not pinned by a full commit SHA (use actions/checkout@<40-hex SHA> # <version>)`,
    );
    expect(out).toContain("1 problem(s) in 1 file(s)");
  });

  test("the same workflow pinned by SHA passes", () => {
    const { code, out } = run(tempWorkflow(good));
    expect(out).toContain("1 workflow(s)");
    expect(code).toBe(0);
  });

  test("a SHA without its version comment, a branch and a docker tag fail", () => {
    const text = good.replace(
      `      - uses: ./.github/actions/local\n`,
      `      - uses: actions/setup-node@${SHA}\n      - uses: "azure/setup-helm@main"\n      - uses: docker://alpine:3\n`,
    );
    expect(checkWorkflow("w.yaml", text).map((f) => `${f.line}: ${f.message}`)).toEqual([
      `17: actions/setup-node@${SHA} has no version comment (add "# vX.Y.Z", the tag that SHA is)`,
      "18: azure/setup-helm@main is not pinned by a full commit SHA (use azure/setup-helm@<40-hex SHA> # <version>)",
      "19: docker://alpine:3 is not pinned by digest (docker://image@sha256:...)",
    ]);
  });

  test("a job without timeout-minutes or permissions fails at the job's line", () => {
    const text = good.replace(
      "    timeout-minutes: 5\n    permissions:\n      contents: read\n",
      "",
    );
    expect(checkWorkflow("w.yaml", text)).toEqual([
      { file: "w.yaml", line: 10, message: "job build has no timeout-minutes" },
      {
        file: "w.yaml",
        line: 10,
        message: "job build has no permissions: of its own (least privilege per job)",
      },
    ]);
  });

  test("a job calling a reusable workflow needs no timeout-minutes (it may not have one)", () => {
    const text = `${good}  call:\n    permissions: {}\n    uses: ./.github/workflows/other.yaml\n`;
    expect(checkWorkflow("w.yaml", text)).toEqual([]);
  });

  test("no top-level permissions or concurrency fails", () => {
    const text = good.replace("permissions: {}\n", "").replace(/concurrency:\n.*\n/, "");
    expect(checkWorkflow("w.yaml", text).map((f) => f.message)).toEqual([
      "no top-level permissions: (set `permissions: {}` and grant each job its own)",
      "no top-level concurrency: (one run per ref)",
    ]);
  });

  test("a workflow without `defaults: run: shell: bash` fails (run: steps would lack pipefail)", () => {
    const text = good.replace("defaults:\n  run:\n    shell: bash\n", "");
    expect(checkWorkflow("w.yaml", text).map((f) => `${f.line}: ${f.message}`)).toEqual([
      "1: no top-level `defaults: run: shell: bash` (without it a run: step is `bash -e {0}`, no pipefail)",
    ]);
    const sh = good.replace("    shell: bash\n", "    shell: sh\n");
    expect(checkWorkflow("w.yaml", sh).map((f) => `${f.line}: ${f.message}`)).toEqual([
      "1: no top-level `defaults: run: shell: bash` (without it a run: step is `bash -e {0}`, no pipefail)",
      "8: shell: sh runs without pipefail (use shell: bash)",
    ]);
  });

  test("a job's or step's shell: without pipefail fails; bash and a custom one with pipefail pass", () => {
    const step = (shell: string) =>
      good.replace(
        "      - run: echo ok\n",
        `      - run: echo ok | cat\n        shell: ${shell}\n`,
      );
    expect(checkWorkflow("w.yaml", step("bash -e {0}"))).toEqual([
      {
        file: "w.yaml",
        line: 19,
        message: "shell: bash -e {0} runs without pipefail (use shell: bash)",
      },
    ]);
    expect(checkWorkflow("w.yaml", step("sh"))[0]?.line).toBe(19);
    expect(checkWorkflow("w.yaml", step("bash"))).toEqual([]);
    expect(checkWorkflow("w.yaml", step("bash --noprofile --norc -euo pipefail {0}"))).toEqual([]);
    expect(checkWorkflow("w.yaml", step("python"))).toEqual([]);
  });

  test("a pinned tool version written in a workflow fails; in a comment it does not", () => {
    const pinned = [
      { name: "helm", value: "v4.3.1" },
      { name: "go", value: "1.26" }, // too short to tell from anything else: not checked
    ];
    const text = good
      .replace("      - run: echo ok\n", "      - run: echo 4.3.1 # v4.3.1\n")
      .replace(`# v7.0.1`, "# v4.3.1");
    expect(checkWorkflow("w.yaml", text, pinned)).toEqual([
      {
        file: "w.yaml",
        line: 18,
        message:
          "repeats helm v4.3.1: read it from scripts/ci/versions.sh (steps.<id>.outputs.helm)",
      },
    ]);
  });
});
