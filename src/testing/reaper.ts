// Cleans up after a test process, however it ended (bun test runs no exit handlers): run as
// `bun reaper.ts <pid> <list>`, it waits for process <pid> to be gone, then follows the
// lines of the <list> file: "kill <pid>", "forget <pid>", "remove <dir>".
import { spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";

const [parent = "", list = "", detached] = process.argv.slice(2);
// bun test kills the processes it started when it ends: hand over to a detached copy of this
// process, which bun does not know about, and exit.
if (detached !== "detached") {
  spawn(process.execPath, [import.meta.path, parent, list, "detached"], {
    detached: true,
    stdio: "ignore",
  }).unref();
  process.exit(0);
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
while (alive(Number(parent))) await Bun.sleep(500);

const pids = new Set<number>();
const dirs: string[] = [];
for (const line of readFileSync(list, "utf8").split("\n")) {
  const [verb, argument = ""] = [
    line.slice(0, line.indexOf(" ")),
    line.slice(line.indexOf(" ") + 1),
  ];
  if (verb === "kill") pids.add(Number(argument));
  else if (verb === "forget") pids.delete(Number(argument));
  else if (verb === "remove") dirs.push(argument);
}
for (const pid of pids) if (alive(pid)) process.kill(pid, "SIGKILL");
await Bun.sleep(200); // the kernel releases the killed servers' files
for (const dir of [...dirs, list]) rmSync(dir, { recursive: true, force: true });
