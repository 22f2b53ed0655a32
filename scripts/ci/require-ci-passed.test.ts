// scripts/ci/require-ci-passed.sh, the release workflow's gate, against a stand-in `gh` that
// answers `gh api .../runs --jq ...` with the lines given for each call in turn.
import { describe, expect, test } from "bun:test";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const script = join(import.meta.dir, "require-ci-passed.sh");
const SHA = "0123456789abcdef0123456789abcdef01234567";
const run = (id: number, status: string, conclusion: string, event = "push") =>
  `${id}\t${status}\t${conclusion}\t${event}\thttps://github.com/o/r/actions/runs/${id}`;

/** Runs the gate with a `gh` whose Nth call prints answers[N] (the last one from then on). */
function gate(answers: string[][], env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), "require-ci-passed-"));
  answers.forEach((lines, i) => {
    writeFileSync(join(dir, `answer-${i}`), lines.map((l) => `${l}\n`).join(""));
  });
  const gh = join(dir, "gh");
  writeFileSync(
    gh,
    `#!/usr/bin/env bash
echo "$*" >>"${dir}/calls"
n=$(wc -l <"${dir}/calls")
i=$((n - 1)); [[ -f "${dir}/answer-$i" ]] || i=${answers.length - 1}
cat "${dir}/answer-$i"
`,
  );
  chmodSync(gh, 0o755);
  const p = Bun.spawnSync(["bash", script, SHA], {
    env: {
      ...process.env,
      PATH: `${dir}:${process.env.PATH}`,
      GITHUB_REPOSITORY: "o/r",
      POLL_SECONDS: "0",
      ...env,
    },
    stdout: "pipe",
    stderr: "pipe",
  });
  return { code: p.exitCode, out: p.stdout.toString() + p.stderr.toString() };
}

describe("require-ci-passed.sh", () => {
  test("passes when a run of ci.yaml succeeded on the commit", () => {
    const { code, out } = gate([[run(1, "completed", "failure"), run(2, "completed", "success")]]);
    expect(out).toContain(`ci.yaml passed on ${SHA}`);
    expect(code).toBe(0);
  });

  test("fails when CI never ran on the commit", () => {
    const { code, out } = gate([[]]);
    expect(out).toContain(`ci.yaml never ran on a push of ${SHA}`);
    expect(code).toBe(1);
  });

  test("fails when every run failed", () => {
    const { code, out } = gate([
      [run(1, "completed", "failure"), run(2, "completed", "cancelled")],
    ]);
    expect(out).toContain(`no run of ci.yaml passed on ${SHA}`);
    expect(code).toBe(1);
  });

  test("a passed pull_request run does not count (it tested the merge, not the tagged tree)", () => {
    const { code, out } = gate([
      [run(5, "completed", "success", "pull_request"), run(6, "completed", "failure")],
    ]);
    expect(out).toContain("run 5 (pull_request): completed, success, not counted");
    expect(out).toContain(`no run of ci.yaml passed on ${SHA}`);
    expect(code).toBe(1);
  });

  test("only pull_request runs: CI never ran on a push of the commit", () => {
    const { code, out } = gate([[run(7, "completed", "success", "pull_request")]]);
    expect(out).toContain(`ci.yaml never ran on a push of ${SHA}`);
    expect(code).toBe(1);
  });

  test("a pull_request run still going is not waited for", () => {
    const { code, out } = gate([
      [run(8, "in_progress", "none", "pull_request"), run(9, "completed", "failure")],
    ]);
    expect(out).not.toContain("waiting for the runs still going");
    expect(out).toContain(`no run of ci.yaml passed on ${SHA}`);
    expect(code).toBe(1);
  });

  test("waits for a run still going, then passes", () => {
    const { code, out } = gate([
      [run(3, "queued", "none")],
      [run(3, "in_progress", "none")],
      [run(3, "completed", "success")],
    ]);
    expect(out.match(/waiting for the runs still going/g)).toHaveLength(2);
    expect(code).toBe(0);
  });

  test("a run still going past the wait fails", () => {
    const { code, out } = gate([[run(4, "in_progress", "none")]], { WAIT_MINUTES: "0" });
    expect(out).toContain("within 0 minutes");
    expect(code).toBe(1);
  });

  test("refuses something that is not a commit SHA", () => {
    const p = Bun.spawnSync(["bash", script, "v1.2.3"], { stderr: "pipe" });
    expect(p.stderr.toString()).toContain("usage:");
    expect(p.exitCode).toBe(1);
  });
});
