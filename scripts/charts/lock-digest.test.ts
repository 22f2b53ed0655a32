import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { chartLock, lockDigest } from "./lock-digest";

const USERS = join(import.meta.dir, "../../charts/demo/charts/users");
// The users chart's dependencies and the digest helm 3 wrote for them (`helm dependency
// update`, 2026-12-03): the reference the port of HashReq must reproduce.
const REQUIRED = [
  { name: "demo-lib", version: "0.2.0", repository: "file://../demo-lib" },
  {
    name: "mysql",
    version: "13.0.1",
    repository: "oci://registry-1.docker.io/bitnamicharts",
    condition: "mysql.enabled",
  },
  {
    name: "redis",
    version: "21.2.6",
    repository: "oci://registry-1.docker.io/bitnamicharts",
    condition: "redis.enabled",
  },
];
const LOCKED = REQUIRED.map(({ condition: _, ...locked }) => locked);
const HELM_WROTE = "sha256:c0ab8509c01f4d6005b8de8579d9fb6f4bf4e5967842f420a512529c6716cdf9";

describe("lockDigest", () => {
  test("reproduces the digest helm wrote", () =>
    expect(lockDigest(REQUIRED, LOCKED)).toBe(HELM_WROTE));
  test("is independent of the key order in the YAML (Go's field order)", () => {
    const shuffled = REQUIRED.map((d) => Object.fromEntries(Object.entries(d).reverse()));
    expect(lockDigest(shuffled, LOCKED)).toBe(HELM_WROTE);
  });
  test("leaves empty omitempty fields out", () => {
    const withEmpty = REQUIRED.map((d) => ({ ...d, alias: "", tags: [], enabled: false }));
    expect(lockDigest(withEmpty, LOCKED)).toBe(HELM_WROTE);
  });
  test("changes with a version", () => {
    const bumped = [{ ...REQUIRED[0], version: "0.2.1" }, ...REQUIRED.slice(1)];
    expect(lockDigest(bumped, LOCKED)).not.toBe(HELM_WROTE);
  });
  test("changes with a condition (Chart.yaml only)", () => {
    const noCondition = REQUIRED.map(({ condition: _, ...d }) => d);
    expect(lockDigest(noCondition, LOCKED)).not.toBe(HELM_WROTE);
  });
});

test("the committed users Chart.lock has the digest of its dependencies", () => {
  const { want, has } = chartLock(USERS);
  expect(has).toBe(want);
});
