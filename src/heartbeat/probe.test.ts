// The CPU/memory probe: cgroup layouts laid out as real files in a temp dir (v2, v1,
// hybrid, with and without a cgroup namespace), then this machine's own cgroup and /proc.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Value } from "@sinclair/typebox/value";
import { locateCgroup, readCgroup } from "./cgroup";
import { createProbe } from "./probe";
import { MetricsReport } from "./protocol";

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/** A fake root holding `files` (path -> content). */
function layout(files: Record<string, string>) {
  const root = mkdtempSync(join(tmpdir(), "cgroup-"));
  roots.push(root);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

const v2Files = (dir: string, max = "max") => ({
  [`${dir}/memory.current`]: "104857600\n",
  [`${dir}/memory.stat`]: "anon 50000000\nfile 54857600\ninactive_file 4857600\nactive_file 100\n",
  [`${dir}/memory.max`]: `${max}\n`,
  [`${dir}/cpu.stat`]: "usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\n",
});

describe("cgroup files", () => {
  test("cgroup v2 inside a cgroup namespace: the files at the mount root", () => {
    const root = layout({
      "proc/self/cgroup": "0::/\n",
      "sys/fs/cgroup/cgroup.controllers": "cpuset cpu io memory pids\n",
      ...v2Files("sys/fs/cgroup", "268435456"),
    });
    const files = locateCgroup(root);
    expect(files?.version).toBe("v2");
    expect(readCgroup(files as NonNullable<typeof files>)).toEqual({
      cpuSeconds: 2.5,
      memoryBytes: 100_000_000,
      memoryLimitBytes: 268_435_456,
    });
  });

  test("cgroup v2 with the host's path: its own directory, and max is no limit", () => {
    const pod = "kubepods.slice/pod1.slice/cri-abc.scope";
    const root = layout({
      "proc/self/cgroup": `0::/${pod}\n`,
      "sys/fs/cgroup/cgroup.controllers": "cpu memory\n",
      ...v2Files(`sys/fs/cgroup/${pod}`),
    });
    const files = locateCgroup(root);
    expect(files?.memory?.usage).toBe(join(root, "sys/fs/cgroup", pod, "memory.current"));
    expect(readCgroup(files as NonNullable<typeof files>).memoryLimitBytes).toBeNull();
  });

  test("a hybrid host (this machine's kind): v1 memory and cpuacct, unified mount unused", () => {
    const root = layout({
      "proc/self/cgroup": "4:memory:/job/42\n2:cpuacct:/\n1:cpu:/\n0::/\n",
      "sys/fs/cgroup/unified/cgroup.controllers": "\n",
      "sys/fs/cgroup/unified/cpu.stat": "usage_usec 999999999\n",
      "sys/fs/cgroup/memory/job/42/memory.usage_in_bytes": "64659456\n",
      "sys/fs/cgroup/memory/job/42/memory.stat": "cache 1\ntotal_inactive_file 659456\n",
      "sys/fs/cgroup/memory/job/42/memory.limit_in_bytes": "9223372036854771712\n",
      "sys/fs/cgroup/cpuacct/cpuacct.usage": "3000000000\n",
    });
    const files = locateCgroup(root);
    expect(files?.version).toBe("v1");
    expect(readCgroup(files as NonNullable<typeof files>)).toEqual({
      cpuSeconds: 3,
      memoryBytes: 64_000_000,
      memoryLimitBytes: null,
    });
  });

  test("cgroup v1 with cpu,cpuacct co-mounted and the host's path missing: the mount root", () => {
    const root = layout({
      "proc/self/cgroup": "5:memory:/docker/abc\n3:cpu,cpuacct:/docker/abc\n",
      "sys/fs/cgroup/memory/memory.usage_in_bytes": "1000\n",
      "sys/fs/cgroup/memory/memory.stat": "total_inactive_file 0\n",
      "sys/fs/cgroup/memory/memory.limit_in_bytes": "2000\n",
      "sys/fs/cgroup/cpu,cpuacct/cpuacct.usage": "500000000\n",
    });
    const files = locateCgroup(root);
    expect(readCgroup(files as NonNullable<typeof files>)).toEqual({
      cpuSeconds: 0.5,
      memoryBytes: 1000,
      memoryLimitBytes: 2000,
    });
  });

  test("no cgroup at all (not Linux, or no /proc): null, and no exception", () => {
    expect(locateCgroup(layout({}))).toBeNull();
  });

  test("a file that vanished reads as null", () => {
    const root = layout({
      "proc/self/cgroup": "0::/\n",
      "sys/fs/cgroup/cgroup.controllers": "cpu memory\n",
      ...v2Files("sys/fs/cgroup"),
    });
    const files = locateCgroup(root) as NonNullable<ReturnType<typeof locateCgroup>>;
    rmSync(join(root, "sys/fs/cgroup/memory.current"));
    expect(readCgroup(files).memoryBytes).toBeNull();
    expect(readCgroup(files).cpuSeconds).toBe(2.5);
  });
});

describe("probe on this machine", () => {
  test("finds this process's cgroup and reads its memory", () => {
    const files = locateCgroup();
    expect(files).not.toBeNull();
    expect(readCgroup(files as NonNullable<typeof files>).memoryBytes).toBeGreaterThan(0);
  });

  test("a sample is a valid report body with the node's and the container's usage", async () => {
    const probe = createProbe();
    const first = await probe.sample();
    // Burn some CPU so the container's share since the last sample is above zero.
    const until = performance.now() + 200;
    while (performance.now() < until) Math.sqrt(Math.random());
    const usage = await probe.sample();
    const report = { clientId: "probe-test", bootId: "b", sentAt: Date.now(), ...usage };
    expect([...Value.Errors(MetricsReport, report)]).toEqual([]);
    expect(first.node.memoryTotalBytes).toBeGreaterThan(0);
    expect(usage.node.memoryUsedBytes).toBeGreaterThan(0);
    expect(usage.node.cpuPercent).toBeGreaterThan(0);
    expect(usage.container.cgroup).not.toBe("none");
    expect(usage.container.cpuPercent).toBeGreaterThan(0);
    expect(usage.container.memoryBytes).toBeGreaterThan(0);
  });
});
