// CPU and memory of the node and of this container, for the client's metrics report.
// Nothing here may start a process: the image has no shell. So the node's memory comes from
// systeminformation's mem() (it reads /proc/meminfo with fs), but not its currentLoad(),
// which runs `cat /proc/stat | grep cpu` through a shell on Linux: the node's CPU comes from
// os.cpus() (the same /proc/stat counters, read by the runtime) instead.
import { cpus } from "node:os";
import { mem } from "systeminformation";
import { sleep } from "../lib/lifecycle";
import { type CgroupFiles, locateCgroup, readCgroup } from "./cgroup";
import { type MetricsReport, round2 } from "./protocol";

export type Usage = Pick<MetricsReport, "node" | "container">;

interface Counters {
  atMs: number;
  nodeBusy: number;
  nodeTotal: number;
  containerCpuSeconds: number | null;
}

/** CPU is a rate: the first sample takes a baseline and measures over this long. */
export const FIRST_SAMPLE_MS = 500;

export function createProbe(cgroup: CgroupFiles | null = locateCgroup()) {
  let previous: Counters | undefined;
  const counters = (): Counters => ({
    atMs: performance.now(),
    ...nodeCpuTimes(),
    containerCpuSeconds: cgroup ? readCgroup(cgroup).cpuSeconds : null,
  });

  /** Usage since the previous sample (CPU) and right now (memory). */
  async function sample(): Promise<Usage> {
    if (!previous) {
      previous = counters();
      await sleep(FIRST_SAMPLE_MS);
    }
    const now = counters();
    const before = previous;
    previous = now;
    const memory = await mem();
    const container = cgroup ? readCgroup(cgroup) : null;
    const wallSeconds = (now.atMs - before.atMs) / 1000;
    const containerCpu =
      now.containerCpuSeconds !== null && before.containerCpuSeconds !== null && wallSeconds > 0
        ? (100 * Math.max(0, now.containerCpuSeconds - before.containerCpuSeconds)) / wallSeconds
        : null;
    return {
      node: {
        cpuPercent: ratioPercent(now.nodeBusy - before.nodeBusy, now.nodeTotal - before.nodeTotal),
        memoryUsedBytes: memory.total - memory.available,
        memoryTotalBytes: memory.total,
      },
      container: {
        cgroup: cgroup?.version ?? "none",
        cpuPercent: containerCpu === null ? null : round2(containerCpu),
        memoryBytes: container?.memoryBytes ?? null,
        memoryLimitBytes: container?.memoryLimitBytes ?? null,
      },
    };
  }
  return { cgroup, sample };
}

/** Busy and total CPU time of all cores since boot, in milliseconds. */
function nodeCpuTimes() {
  let busy = 0;
  let total = 0;
  for (const { times } of cpus()) {
    const used = times.user + times.nice + times.sys + times.irq;
    busy += used;
    total += used + times.idle;
  }
  return { nodeBusy: busy, nodeTotal: total };
}

function ratioPercent(part: number, whole: number) {
  return whole > 0 ? round2(Math.min(100, Math.max(0, (100 * part) / whole))) : 0;
}
