// The container's own CPU and memory, read from its cgroup files with fs (the image has no
// shell to run tools with). cgroup v2 where it owns the controller, else v1: on a hybrid
// host the unified mount exists but the memory and cpu controllers stay on v1.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface CgroupFiles {
  version: "v2" | "v1";
  /** Cumulative CPU time: v2 cpu.stat (usage_usec) or v1 cpuacct.usage (nanoseconds). */
  cpu: { file: string; unit: "usec" | "nsec" } | null;
  memory: { usage: string; stat: string; limit: string; inactiveKey: string } | null;
}

export interface CgroupReading {
  cpuSeconds: number | null;
  memoryBytes: number | null;
  memoryLimitBytes: number | null;
}

// v1 reports "no limit" as a huge page-aligned number (2^63 rounded down).
const UNLIMITED = 2 ** 60;

/** Finds this process's cgroup files once; `root` lets tests lay out a fake /proc and /sys. */
export function locateCgroup(root = "/"): CgroupFiles | null {
  const paths = ownCgroups(root);
  if (!paths) return null;
  const v2 = unifiedDir(root, paths.get("") ?? "/");
  // A pure v2 host has only the "0::" line; there v2 holds every controller.
  const pureV2 = paths.size === 1 && paths.has("");
  const onV2 = (controller: string) =>
    v2 !== null && (pureV2 || v2.controllers.includes(controller));
  const v2Dir = (probe: string) => (v2 && existsSync(join(v2.dir, probe)) ? v2.dir : null);
  const memoryDir = onV2("memory")
    ? v2Dir("memory.current")
    : v1Dir(root, paths, "memory", ["memory"], "memory.usage_in_bytes");
  const cpuDir = onV2("cpu")
    ? v2Dir("cpu.stat")
    : v1Dir(root, paths, "cpuacct", ["cpuacct", "cpu,cpuacct", "cpuacct,cpu"], "cpuacct.usage");
  if (!memoryDir && !cpuDir) return null;
  return {
    version: onV2("memory") || onV2("cpu") ? "v2" : "v1",
    memory: memoryDir ? (onV2("memory") ? v2Memory : v1Memory)(memoryDir) : null,
    cpu: cpuDir ? (onV2("cpu") ? v2Cpu : v1Cpu)(cpuDir) : null,
  };
}

const v2Memory = (dir: string) => ({
  usage: join(dir, "memory.current"),
  stat: join(dir, "memory.stat"),
  limit: join(dir, "memory.max"),
  inactiveKey: "inactive_file",
});
const v1Memory = (dir: string) => ({
  usage: join(dir, "memory.usage_in_bytes"),
  stat: join(dir, "memory.stat"),
  limit: join(dir, "memory.limit_in_bytes"),
  inactiveKey: "total_inactive_file",
});
const v2Cpu = (dir: string) => ({ file: join(dir, "cpu.stat"), unit: "usec" as const });
const v1Cpu = (dir: string) => ({ file: join(dir, "cpuacct.usage"), unit: "nsec" as const });

/** Reads the current values; a file that vanished reads as null, never an exception. */
export function readCgroup(files: CgroupFiles): CgroupReading {
  let cpuSeconds: number | null = null;
  if (files.cpu) {
    const text = read(files.cpu.file);
    const raw = files.cpu.unit === "usec" ? statValue(text, "usage_usec") : numberOrNull(text);
    if (raw !== null) cpuSeconds = raw / (files.cpu.unit === "usec" ? 1e6 : 1e9);
  }
  let memoryBytes: number | null = null;
  let memoryLimitBytes: number | null = null;
  if (files.memory) {
    const usage = numberOrNull(read(files.memory.usage));
    // The working set, as the kubelet and `kubectl top` count it: usage minus file cache
    // the kernel can drop at once.
    const inactive = statValue(read(files.memory.stat), files.memory.inactiveKey) ?? 0;
    if (usage !== null) memoryBytes = Math.max(0, usage - inactive);
    const limit = numberOrNull(read(files.memory.limit)); // v2 writes "max": null
    memoryLimitBytes = limit !== null && limit < UNLIMITED ? limit : null;
  }
  return { cpuSeconds, memoryBytes, memoryLimitBytes };
}

/** /proc/self/cgroup as controller list -> path ("" is the v2 entry "0::/path"). */
function ownCgroups(root: string) {
  const text = read(join(root, "proc/self/cgroup"));
  if (!text) return null;
  const paths = new Map<string, string>();
  for (const line of text.trim().split("\n")) {
    const [, controllers = "", ...path] = line.split(":");
    paths.set(controllers, path.join(":"));
  }
  return paths;
}

/** The v2 mount: all of /sys/fs/cgroup, or /sys/fs/cgroup/unified on a hybrid host. */
function unifiedDir(root: string, path: string) {
  for (const mount of ["sys/fs/cgroup", "sys/fs/cgroup/unified"].map((m) => join(root, m))) {
    if (!existsSync(join(mount, "cgroup.controllers"))) continue;
    // Without a cgroup namespace the path is the host's; the container sees its own at the root.
    const own = join(mount, path);
    const controllers = read(join(mount, "cgroup.controllers"))?.trim().split(/\s+/) ?? [];
    return { controllers, dir: existsSync(own) ? own : mount };
  }
  return null;
}

/** The v1 directory of `controller` holding `probe`, with the same host-path fallback. */
function v1Dir(
  root: string,
  paths: Map<string, string>,
  controller: string,
  mounts: string[],
  probe: string,
) {
  const entry = [...paths].find(([controllers]) => controllers.split(",").includes(controller));
  if (!entry) return null;
  for (const mount of mounts.map((m) => join(root, "sys/fs/cgroup", m))) {
    for (const dir of [join(mount, entry[1]), mount]) {
      if (existsSync(join(dir, probe))) return dir;
    }
  }
  return null;
}

function read(file: string): string | null {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return null;
  }
}

function numberOrNull(text: string | null) {
  const value = Number.parseInt(text ?? "", 10);
  return Number.isFinite(value) ? value : null;
}

/** One "key value" line of a stat file (cpu.stat, memory.stat). */
function statValue(text: string | null, key: string) {
  const line = text?.split("\n").find((l) => l.startsWith(`${key} `));
  return line ? numberOrNull(line.slice(key.length + 1)) : null;
}
