// bun.lock (the image build) and package-lock.json (npm ci) must pin every package, at every
// place in the tree, to the same version and the same tarball (integrity).
//
//   bun scripts/verify/lockfiles-agree.ts      exits 1 and lists each difference
import { readFileSync } from "node:fs";
import { join } from "node:path";

// Where a package sits in node_modules differs (bun and npm hoist differently); which
// versions of which packages, from which tarballs, must not.
type Pins = Set<string>;

/** bun.lock's packages as "name@version integrity". */
export function bunPins(text: string): Pins {
  const lock = Bun.JSONC.parse(text) as {
    packages: Record<string, [string, string, unknown, string?]>;
  };
  return new Set(
    Object.values(lock.packages).map(([spec, , , integrity]) => `${spec} ${integrity ?? ""}`),
  );
}

/** package-lock.json's packages the same way. */
export function npmPins(text: string): Pins {
  const lock = JSON.parse(text) as {
    packages: Record<string, { version?: string; integrity?: string; link?: boolean }>;
  };
  return new Set(
    Object.entries(lock.packages)
      .filter(([path, entry]) => path !== "" && !entry.link)
      .map(([path, entry]) => {
        const name = path.slice(path.lastIndexOf("node_modules/") + "node_modules/".length);
        return `${name}@${entry.version} ${entry.integrity ?? ""}`;
      }),
  );
}

export function differences(bun: Pins, npm: Pins): string[] {
  return [
    ...[...bun].filter((pin) => !npm.has(pin)).map((pin) => `only in bun.lock: ${pin}`),
    ...[...npm].filter((pin) => !bun.has(pin)).map((pin) => `only in package-lock.json: ${pin}`),
  ].sort();
}

if (import.meta.main) {
  const root = join(import.meta.dir, "../..");
  const read = (file: string) => readFileSync(join(root, file), "utf8");
  const found = differences(bunPins(read("bun.lock")), npmPins(read("package-lock.json")));
  for (const line of found) console.error(`lockfiles: ${line}`);
  if (found.length > 0) process.exit(1);
  console.log("lockfiles: bun.lock and package-lock.json pin the same packages");
}
