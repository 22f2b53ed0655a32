// The compiled `demo` binary for tests, built by scripts/build.sh (the release flags) at most
// once per test process, for the machine's own architecture.
import { join, resolve } from "node:path";

const root = resolve(import.meta.dir, "../..");
let built: Promise<string> | undefined;

export function compiledBinary() {
  built ??= (async () => {
    const arch = process.arch === "arm64" ? "arm64" : "x64";
    const build = Bun.spawn(["bash", "scripts/build.sh", arch], {
      cwd: root,
      stdout: "ignore",
      stderr: "pipe",
    });
    if ((await build.exited) !== 0)
      throw new Error(
        `scripts/build.sh ${arch} failed:\n${await new Response(build.stderr).text()}`,
      );
    return join(root, `dist/demo-linux-${arch}`);
  })();
  return built;
}
