import { describe, expect, test } from "bun:test";
import { judgeCheckov, judgeKubeScore } from "./findings";

const LOW_UID = "The container is running with a low user ID";
const scored = (
  name: string,
  chart: string,
  grade: number,
  summary = LOW_UID,
  id = "container-security-context-user-group-id",
) => ({
  object_name: name,
  type_meta: { kind: "StatefulSet" },
  object_meta: { name, labels: { "helm.sh/chart": chart } },
  checks: [
    {
      check: { id },
      grade,
      skipped: false,
      comments: grade > 5 ? [] : [{ path: "mysql", summary }],
    },
  ],
});

describe("judgeKubeScore", () => {
  test("a clean report passes and counts the checks", () => {
    const verdict = judgeKubeScore([scored("demo-echo", "echo-0.2.0", 10)]);
    expect(verdict.ok).toBe(true);
    expect(verdict.lines.at(-1)).toBe("  1 objects, 1 checks OK, 0 findings");
  });
  test("an allowed finding on a Bitnami object is tolerated", () => {
    const verdict = judgeKubeScore([scored("demo-mysql", "mysql-13.0.1", 1)]);
    expect(verdict.ok).toBe(true);
    expect(verdict.lines[0]).toStartWith(
      "  allowed on a Bitnami object (mysql-13.0.1): StatefulSet demo-mysql (mysql)",
    );
    expect(verdict.lines.at(-1)).toBe(
      "  1 objects, 0 checks OK, 0 findings, 1 allowed on Bitnami objects",
    );
  });
  test("the same finding on our object fails", () => {
    const verdict = judgeKubeScore([scored("demo-users", "users-0.2.0", 1)]);
    expect(verdict.ok).toBe(false);
    expect(verdict.lines[0]).toStartWith("  FINDING: StatefulSet demo-users");
  });
  test("a finding not in the list fails on a Bitnami object too", () => {
    const verdict = judgeKubeScore([
      scored("demo-redis-master", "redis-21.2.6", 1, "No memory limit", "container-resources"),
    ]);
    expect(verdict.ok).toBe(false);
  });
  test("a warning (grade 5) is a finding, skipped checks are not", () => {
    expect(judgeKubeScore([scored("demo-echo", "echo-0.2.0", 5, "x", "y")]).ok).toBe(false);
    const skipped = scored("demo-echo", "echo-0.2.0", 1, "x", "y");
    skipped.checks[0] = { ...(skipped.checks[0] as (typeof skipped.checks)[0]), skipped: true };
    expect(judgeKubeScore([skipped]).ok).toBe(true);
  });
  test("a finding without comments is still one", () => {
    const bare = scored("demo-echo", "echo-0.2.0", 1);
    (bare.checks[0] as { comments: unknown }).comments = null;
    const verdict = judgeKubeScore([bare]);
    expect(verdict.ok).toBe(false);
    expect(verdict.lines[0]).toBe(
      "  FINDING: StatefulSet demo-echo: container-security-context-user-group-id: ",
    );
  });
  test("no objects scored fails", () => expect(judgeKubeScore([]).ok).toBe(false));
});

describe("judgeCheckov", () => {
  const report = (passed: number, failed: string[]) => ({
    summary: { passed },
    results: {
      failed_checks: failed.map((resource) => ({
        check_id: "CKV_K8S_43",
        resource,
        check_name: "Image should use digest",
      })),
    },
  });
  test("findings only on the Bitnami StatefulSets pass", () => {
    const verdict = judgeCheckov(
      report(12, ["StatefulSet.demo.demo-mysql", "StatefulSet.demo.demo-redis-master"]),
    );
    expect(verdict.ok).toBe(true);
    expect(verdict.lines.at(-1)).toBe(
      "  12 passed, 0 findings on our objects, 2 on the Bitnami charts'",
    );
  });
  test("a finding on our object fails", () => {
    const verdict = judgeCheckov(report(12, ["Deployment.demo.demo-echo-server"]));
    expect(verdict.ok).toBe(false);
    expect(verdict.lines[0]).toBe(
      "  FINDING: CKV_K8S_43 Deployment.demo.demo-echo-server: Image should use digest",
    );
  });
  test("a list of reports (one per framework) is summed", () => {
    expect(judgeCheckov([report(3, []), report(4, [])]).lines.at(-1)).toBe(
      "  7 passed, 0 findings on our objects, 0 on the Bitnami charts'",
    );
  });
  test("nothing passed fails (checkov checked nothing)", () =>
    expect(judgeCheckov(report(0, [])).ok).toBe(false));
});
