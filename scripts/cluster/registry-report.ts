// What the stand-in registry (scripts/cluster/registry.sh) holds, read with crane
// (github.com/google/go-containerregistry, pinned and installed by scripts/tools.sh):
//
//   bun scripts/cluster/registry-report.ts --ca CA URL
//       every repository, tag, platform, layer count, compressed size (config + layers), media
//   bun scripts/cluster/registry-report.ts --ca CA URL --extract REPO:TAG PLATFORM PATH OUT
//       PATH out of that platform's image (`crane export`: the layers flattened) to OUT
//
// URL is the registry's base, e.g. https://10.250.0.1; CA the certificate it is signed with
// (handed to crane as SSL_CERT_FILE). crane is found on PATH or as $CRANE. Called by
// scripts/e2e/ (10-release-mismatch, 11-release); `report` and `formatRow` are importable.
import { chmodSync, copyFileSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { os?: string; architecture?: string; variant?: string };
}
/** An image manifest or an index (the fields the report reads). */
export interface Manifest {
  mediaType?: string;
  config?: Descriptor;
  layers?: Descriptor[];
  manifests?: Descriptor[];
}
export interface Row {
  repository: string;
  tag: string;
  platform: string;
  manifest: Manifest;
}

/** Runs crane with the registry's CA trusted; its stdout, or throws with its stderr. */
export function crane(ca: string, ...args: string[]): string {
  const out = Bun.spawnSync([process.env.CRANE ?? "crane", ...args], {
    env: { ...process.env, SSL_CERT_FILE: ca },
  });
  if (out.exitCode !== 0)
    throw new Error(`crane ${args.join(" ")}: ${out.stderr.toString().trim()}`);
  return out.stdout.toString();
}

const platformName = (p: Descriptor["platform"] = {}) =>
  `${p.os ?? "?"}/${p.architecture ?? "?"}${p.variant ? `/${p.variant}` : ""}`;

/** One row per repository, tag and platform ("-" for a single-platform manifest). */
export function report(ca: string, host: string): Row[] {
  const lines = (s: string) => s.split("\n").filter(Boolean);
  const rows: Row[] = [];
  for (const repository of lines(crane(ca, "catalog", host))) {
    for (const tag of lines(crane(ca, "ls", `${host}/${repository}`)).sort()) {
      const top: Manifest = JSON.parse(crane(ca, "manifest", `${host}/${repository}:${tag}`));
      if (!top.manifests) {
        rows.push({ repository, tag, platform: "-", manifest: top });
        continue;
      }
      for (const m of top.manifests) {
        const manifest = JSON.parse(crane(ca, "manifest", `${host}/${repository}@${m.digest}`));
        rows.push({ repository, tag, platform: platformName(m.platform), manifest });
      }
    }
  }
  return rows;
}

export const HEADER = `${"repository".padEnd(44)} ${"tag".padEnd(12)} ${"platform".padEnd(14)} ${"layers".padStart(6)} ${"compressed".padStart(11)}  media`;

/** "demo-org/demo  0.2.0  linux/arm64  3  25.1 MB  vnd.oci.image.config.v1 zstd" */
export function formatRow({ repository, tag, platform, manifest }: Row): string {
  const layers = manifest.layers ?? [];
  const size = (manifest.config?.size ?? 0) + layers.reduce((sum, l) => sum + l.size, 0);
  // application/vnd.oci.image.layer.v1.tar+zstd -> zstd; ...diff.tar.gzip -> gzip
  const media = [
    ...new Set(layers.map((l) => (l.mediaType.split(".").at(-1) ?? "").split("+").at(-1))),
  ].sort();
  const kind = (manifest.config?.mediaType ?? "").split("/").at(-1)?.split("+")[0] ?? "";
  return `${repository.padEnd(44)} ${tag.padEnd(12)} ${platform.padEnd(14)} ${String(layers.length).padStart(6)} ${(size / 1e6).toFixed(1).padStart(8)} MB  ${kind} ${media.join(",")}`;
}

/** Copies PATH out of REPO:TAG's PLATFORM image to OUT, keeping its mode. */
export function extract(
  ca: string,
  host: string,
  ref: string,
  platform: string,
  path: string,
  out: string,
) {
  const dir = mkdtempSync(join(tmpdir(), "registry-report-"));
  try {
    crane(ca, "export", "--platform", platform, `${host}/${ref}`, join(dir, "fs.tar"));
    const want = path.replace(/^\/+/, "");
    const tar = Bun.spawnSync([
      "tar",
      "-xf",
      join(dir, "fs.tar"),
      "-C",
      dir,
      "--no-same-owner",
      want,
    ]);
    if (tar.exitCode !== 0)
      throw new Error(`${path} is not in ${ref} (${platform}): ${tar.stderr.toString().trim()}`);
    copyFileSync(join(dir, want), out);
    chmodSync(out, statSync(join(dir, want)).mode & 0o7777);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function main(argv: string[]): number {
  const caAt = argv.indexOf("--ca");
  const ca = caAt >= 0 ? argv[caAt + 1] : undefined;
  const rest = caAt >= 0 ? argv.toSpliced(caAt, 2) : argv;
  const url = rest[0];
  if (!ca || !url) {
    console.error("usage: registry-report.ts --ca CA URL [--extract REPO:TAG PLATFORM PATH OUT]");
    return 2;
  }
  const host = url.replace(/^https?:\/\//, "").replace(/\/+$/, "");
  if (rest[1] === "--extract") {
    const [ref, platform, path, out] = rest.slice(2);
    if (!ref || !platform || !path || !out) {
      console.error("usage: registry-report.ts --ca CA URL --extract REPO:TAG PLATFORM PATH OUT");
      return 2;
    }
    extract(ca, host, ref, platform, path, out);
    return 0;
  }
  const rows = report(ca, host);
  console.log([HEADER, ...rows.map(formatRow)].join("\n"));
  return 0;
}

if (import.meta.main) {
  try {
    process.exit(main(process.argv.slice(2)));
  } catch (e) {
    console.error(`registry-report: ERROR: ${(e as Error).message}`);
    process.exit(1);
  }
}
