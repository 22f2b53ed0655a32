// A chroot holding nothing but libc6 (glibc) and one binary, run as uid 65532 in private mount
// and PID namespaces: what the distroless image gives the `demo` binary (src/binary.test.ts).
import { existsSync, mkdirSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";

// What `apt-get download libc6` fetches from this host's apt sources: Debian 12's here, Ubuntu
// 24.04's on GitHub's runner; the image has Debian 13's. Each proves the same: libc6 is glibc
// alone in Debian and Ubuntu alike (the loader, libc, libm, libpthread, libdl and glibc's other
// libraries, from the same glibc source package; libgcc_s, libstdc++ and OpenSSL are packages
// of their own), and Bun links the binary against an old glibc, so any of them has every symbol
// it asks for. Where libc6 puts its files differs (Debian 13's are all under /usr, and /lib64,
// where the binary asks for its loader, is base-files' link into /usr): the chroot gets those
// links as the image has them.
/** The package file `apt-get download libc6` fetches and where from, or why it cannot say. */
export function libc6Package(): { file?: string; from?: string; error?: string } {
  const failed = (why: unknown) => ({
    error: `apt-get download --print-uris libc6 failed: ${why}`,
  });
  try {
    const uris = Bun.spawnSync(["apt-get", "download", "--print-uris", "libc6"], {
      stderr: "pipe",
    });
    const [, url = "", file = ""] = uris.stdout.toString().match(/^'([^']+)' (\S+)/m) ?? [];
    if (uris.exitCode !== 0 || !file) return failed(uris.stderr);
    return { file, from: url.replace(/^\w+:\/\/|\/pool\/.*$/g, "") };
  } catch (error) {
    return failed(error);
  }
}

/** The path of libc6's `file` in `dir`, downloaded there (replacing an older one) if missing. */
export function downloadLibc6(dir: string, file: string) {
  const deb = join(dir, file);
  if (existsSync(deb)) return deb;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const download = Bun.spawnSync(["apt-get", "download", "libc6"], { cwd: dir, stderr: "pipe" });
  if (download.exitCode !== 0 || !existsSync(deb))
    throw new Error(`apt-get download libc6 failed (run apt-get update):\n${download.stderr}`);
  return deb;
}

/**
 * What runs a command as root: nothing as root; `sudo -n` for a user with passwordless sudo,
 * as GitHub's runner user and the test run's demo-ci (scripts/ci/as-runner-user.sh) have it.
 * With neither, an error saying so: the chroot test fails, never skips.
 */
export function rootPrefix(): string[] {
  if (process.getuid?.() === 0) return [];
  const sudo = Bun.which("sudo");
  const probe = sudo ? Bun.spawnSync([sudo, "-n", "true"], { stderr: "pipe" }) : undefined;
  if (sudo && probe?.exitCode === 0) return [sudo, "-n"];
  const why = probe ? `sudo -n true: ${probe.stderr.toString().trim()}` : "sudo is not installed";
  throw new Error(
    `the chroot test needs root (unshare, mount, chroot): run it as root or as a user with passwordless sudo (${why})`,
  );
}

/** Makes `dir` anew: libc6's files from the .deb `deb`, `binary` as /usr/local/bin/demo. */
export function assembleChroot(dir: string, deb: string, binary: string) {
  rmSync(dir, { recursive: true, force: true });
  for (const sub of ["usr/local/bin", "proc", "tmp"])
    mkdirSync(join(dir, sub), { recursive: true });
  const unpack = Bun.spawnSync(["dpkg-deb", "-x", deb, dir], { stderr: "pipe" });
  if (unpack.exitCode !== 0) throw new Error(`dpkg-deb -x ${deb} failed: ${unpack.stderr}`);
  for (const sub of ["lib", "lib64"])
    if (!existsSync(join(dir, sub)) && existsSync(join(dir, "usr", sub)))
      symlinkSync(`usr/${sub}`, join(dir, sub));
  const copy = Bun.spawnSync(["cp", binary, join(dir, "usr/local/bin/demo")], { stderr: "pipe" });
  if (copy.exitCode !== 0) throw new Error(`cp ${binary} into the chroot failed: ${copy.stderr}`);
}

// Private mount and PID namespaces, as a container has: the chroot gets a /proc, dropped on
// exit. Whatever ends this command, the namespace ends with it, the server too: unshare takes
// SIGKILL when its parent dies (setpriv --pdeathsig; sudo, itself killed, relays nothing), the
// shell (PID 1 there, no exec) dies with unshare (--kill-child), and the kernel then kills
// every process of the namespace. The server itself, as uid 65532, cannot keep a death signal.
// sudo resets the environment: the server's is given by env -i.
/** The command line that runs `demo ARGS` in the chroot `dir` as uid 65532 with only `env`. */
export function chrootCommand(
  dir: string,
  args: string[],
  env: Record<string, string>,
  asRoot: string[],
) {
  const environment = { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", LOG_FORMAT: "json", ...env };
  return [
    ...asRoot,
    "env",
    "-i",
    ...Object.entries(environment).map(([name, value]) => `${name}=${value}`),
    "setpriv",
    "--pdeathsig",
    "KILL",
    "--",
    "unshare",
    "--mount",
    "--pid",
    "--fork",
    "--kill-child",
    "--",
    "sh",
    "-c",
    'mount -t proc proc "$0/proc" && /usr/sbin/chroot --userspec=65532:65532 "$0" /usr/local/bin/demo "$@"; exit $?',
    dir,
    ...args,
  ];
}
