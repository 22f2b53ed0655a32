// The judgement of kube-score's and checkov's JSON reports for the chart checks: zero findings
// on our objects; on the Bitnami charts' objects only the findings allowed below.
//
//   bun scripts/charts/findings.ts kube-score REPORT.json   (kube-score score --output-format json)
//   bun scripts/charts/findings.ts checkov REPORT.json      (checkov -o json)
// prints one line per finding and a count; exits 1 on any finding not allowed, or on an empty
// report (a tool that scored nothing proves nothing).
// Callers: scripts/charts/checks/08-kube-score.sh, scripts/charts/checks/13-checkov.sh.

/** kube-score findings allowed on the Bitnami charts' objects only, as "check-id: summary". */
export const KUBE_SCORE_BITNAMI_ALLOWED = [
  // Bitnami's images run as uid/gid 1001 (their files are owned by it); kube-score wants ids
  // above 10000.
  "container-security-context-user-group-id: The container is running with a low user ID",
  "container-security-context-user-group-id: The container running with a low group ID",
];
/** The objects of the Bitnami charts checkov reports on (they run their images by tag). */
export const CHECKOV_BITNAMI_RESOURCES = [
  "StatefulSet.demo.demo-mysql",
  "StatefulSet.demo.demo-redis-master",
];

export interface Verdict {
  lines: string[];
  ok: boolean;
}

interface ScoredObject {
  object_name: string;
  type_meta: { kind: string };
  object_meta: { name: string; labels?: Record<string, string> | null };
  checks: Array<{
    check: { id: string };
    grade: number;
    skipped: boolean;
    comments: Array<{ path: string; summary: string }> | null;
  }>;
}

// kube-score grades: 1 critical, 5 warning, 7 almost OK, 10 OK.
const PASSING_GRADE = 5;

export function judgeKubeScore(
  objects: ScoredObject[],
  allowed = KUBE_SCORE_BITNAMI_ALLOWED,
): Verdict {
  const lines: string[] = [];
  let passed = 0;
  let findings = 0;
  let tolerated = 0;
  const sorted = [...objects].sort((a, b) =>
    a.object_name < b.object_name ? -1 : a.object_name > b.object_name ? 1 : 0,
  );
  for (const object of sorted) {
    const chart = object.object_meta.labels?.["helm.sh/chart"] ?? "";
    const bitnami = chart.startsWith("mysql-") || chart.startsWith("redis-");
    for (const check of object.checks) {
      if (check.skipped) continue;
      if (check.grade > PASSING_GRADE) {
        passed++;
        continue;
      }
      for (const comment of check.comments?.length ? check.comments : [{ path: "", summary: "" }]) {
        const finding = `${check.check.id}: ${comment.summary}`;
        const where = comment.path ? ` (${comment.path})` : "";
        const line = `${object.type_meta.kind} ${object.object_meta.name}${where}: ${finding}`;
        if (bitnami && allowed.includes(finding)) {
          tolerated++;
          lines.push(`  allowed on a Bitnami object (${chart}): ${line}`);
        } else {
          findings++;
          lines.push(`  FINDING: ${line}`);
        }
      }
    }
  }
  const tail = tolerated ? `, ${tolerated} allowed on Bitnami objects` : "";
  lines.push(`  ${objects.length} objects, ${passed} checks OK, ${findings} findings${tail}`);
  return { lines, ok: findings === 0 && objects.length > 0 };
}

interface CheckovReport {
  summary: { passed: number };
  results: { failed_checks?: Array<{ check_id: string; resource: string; check_name: string }> };
}

export function judgeCheckov(
  report: CheckovReport | CheckovReport[],
  bitnami = CHECKOV_BITNAMI_RESOURCES,
): Verdict {
  const lines: string[] = [];
  let passed = 0;
  let ours = 0;
  let theirs = 0;
  for (const part of Array.isArray(report) ? report : [report]) {
    passed += part.summary.passed;
    for (const failed of part.results.failed_checks ?? []) {
      if (bitnami.includes(failed.resource)) {
        theirs++;
        lines.push(`  on a Bitnami object: ${failed.check_id} ${failed.resource}`);
      } else {
        ours++;
        lines.push(`  FINDING: ${failed.check_id} ${failed.resource}: ${failed.check_name}`);
      }
    }
  }
  lines.push(
    `  ${passed} passed, ${ours} findings on our objects, ${theirs} on the Bitnami charts'`,
  );
  return { lines, ok: ours === 0 && passed > 0 };
}

if (import.meta.main) {
  const [tool, file] = process.argv.slice(2);
  const judge = { "kube-score": judgeKubeScore, checkov: judgeCheckov }[tool ?? ""];
  if (!judge || !file)
    throw new Error("usage: bun scripts/charts/findings.ts kube-score|checkov REPORT.json");
  const verdict = judge(JSON.parse(await Bun.file(file).text()));
  console.log(verdict.lines.join("\n"));
  if (!verdict.ok) process.exitCode = 1;
}
