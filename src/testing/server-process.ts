// Database servers for integration tests, started from the system's binaries: finding the
// binaries (or failing with the install step), temp dirs, stop/start, and clean-up at exit.
import { spawn } from "node:child_process";
import {
  appendFileSync,
  closeSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { waitFor } from "./wait";

const INSTALL_HINT = "run scripts/tools.sh (apt: mariadb-server redis-server)";

/** The path of a system binary, or an error that says how to install it. */
export function requireTool(name: string): string {
  const path = Bun.which(name, { PATH: `${process.env.PATH}:/usr/sbin:/usr/local/sbin:/sbin` });
  if (!path) throw new Error(`${name} is not installed: ${INSTALL_HINT}`);
  return path;
}

// bun test runs no exit handlers, so a separate process cleans up after this one: told in a
// file which servers to kill and which dirs to remove, it does so when this process is gone.
let reaperList: string | undefined;
function tellReaper(line: string) {
  if (!reaperList) {
    reaperList = join(tmpdir(), `demo-reaper-${process.pid}.list`);
    writeFileSync(reaperList, "");
    spawn(process.execPath, [join(import.meta.dir, "reaper.ts"), String(process.pid), reaperList], {
      stdio: "ignore",
    }).unref();
  }
  appendFileSync(reaperList, `${line}\n`);
}

/** A temp dir removed when the test process exits. */
export function tempDir(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), `demo-${prefix}-`));
  tellReaper(`remove ${dir}`);
  return dir;
}

/** A server process that tests can stop and start again with the same arguments. */
export class ServerProcess {
  private child: Subprocess | undefined;

  constructor(
    readonly name: string,
    private readonly command: string[],
    readonly logFile: string,
    private readonly options: { cwd?: string; env?: Record<string, string> } = {},
  ) {}

  get running() {
    return this.child !== undefined && this.child.exitCode === null && !this.child.killed;
  }

  /** Starts it and waits until `ready` passes; the error shows the end of its log. */
  async start(ready: () => Promise<boolean>) {
    const log = openSync(this.logFile, "a");
    this.child = Bun.spawn(this.command, {
      ...this.options,
      stdout: log,
      stderr: log,
      stdin: "ignore",
    });
    closeSync(log);
    const child = this.child;
    tellReaper(`kill ${child.pid}`);
    try {
      await waitFor(`${this.name} to start`, async () => {
        if (child.exitCode !== null) throw new Error(`${this.name} exited with ${child.exitCode}`);
        return (await ready()) || false;
      });
    } catch (error) {
      child.kill("SIGKILL");
      throw new Error(`${(error as Error).message}\n--- ${this.logFile}:\n${this.logTail()}`);
    }
  }

  /** Stops it the way a server is stopped (SIGTERM) and waits until it has exited. */
  async stop() {
    const child = this.child;
    if (!child) return;
    child.kill("SIGTERM");
    await child.exited;
    tellReaper(`forget ${child.pid}`);
    this.child = undefined;
  }

  /** Freezes it (SIGSTOP): the port stays open but nothing answers, like a hung server.
   * kill() only queues the stop: it resolves once every thread of the process has stopped
   * (a busy machine once let MariaDB answer one more query after the signal). */
  async pause() {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    this.child?.kill("SIGSTOP");
    await waitFor(`process ${pid} to stop`, () => allThreadsStopped(pid));
  }

  resume() {
    this.child?.kill("SIGCONT");
  }

  private logTail() {
    try {
      return readFileSync(this.logFile, "utf8").split("\n").slice(-20).join("\n");
    } catch {
      return "(no log)";
    }
  }
}

/** A test server run by a ServerProcess: started its own way, stopped and frozen alike. */
export abstract class LocalServer {
  protected constructor(protected readonly process: ServerProcess) {}

  /** (Re)starts the server; resolves when it takes requests. */
  abstract start(): Promise<void>;

  stop() {
    return this.process.stop();
  }

  /** Freezes it: the port stays open but nothing answers, like a hung server. */
  pause() {
    return this.process.pause();
  }

  resume() {
    this.process.resume();
  }
}

/** Whether every thread of `pid` is stopped (state T in /proc/<pid>/task/<tid>/stat). */
function allThreadsStopped(pid: number) {
  return readdirSync(`/proc/${pid}/task`).every((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
    return /^[tT]$/.test(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0] ?? "");
  });
}
