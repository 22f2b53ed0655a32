// scripts/cluster/registry-report.ts against a stand-in `crane` (a shell script answering
// catalog, ls, manifest and export from fixtures), as scripts/e2e/11-release.e2e.ts reads the real registry.
import { afterAll, expect, test } from "bun:test";
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { extract, formatRow, HEADER, report } from "./registry-report";

const dir = mkdtempSync(join(tmpdir(), "registry-report-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const zstdLayer = {
  mediaType: "application/vnd.oci.image.layer.v1.tar+zstd",
  digest: "sha256:l1",
  size: 2_000_000,
};
const arm64 = {
  mediaType: "application/vnd.oci.image.manifest.v1+json",
  config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: "sha256:c", size: 1000 },
  layers: [zstdLayer, { ...zstdLayer, digest: "sha256:l2", size: 500_000 }],
};
const index = {
  mediaType: "application/vnd.oci.image.index.v1+json",
  manifests: [
    {
      mediaType: arm64.mediaType,
      digest: "sha256:arm",
      size: 1,
      platform: { os: "linux", architecture: "arm64" },
    },
  ],
};
const chart = {
  config: { mediaType: "application/vnd.cncf.helm.config.v1+json", digest: "sha256:h", size: 300 },
  layers: [
    {
      mediaType: "application/vnd.cncf.helm.chart.content.v1.tar+gzip",
      digest: "sha256:t",
      size: 40_000,
    },
  ],
};
writeFileSync(join(dir, "index.json"), JSON.stringify(index));
writeFileSync(join(dir, "arm64.json"), JSON.stringify(arm64));
writeFileSync(join(dir, "chart.json"), JSON.stringify(chart));
mkdirSync(join(dir, "fs/usr/local/bin"), { recursive: true });
writeFileSync(join(dir, "fs/usr/local/bin/demo"), "#!/bin/sh\necho demo\n");
chmodSync(join(dir, "fs/usr/local/bin/demo"), 0o755);

// Fails unless SSL_CERT_FILE is the CA given, as the real crane would on the stand-in's TLS.
const fake = join(dir, "crane");
writeFileSync(
  fake,
  `#!/bin/sh
[ "$SSL_CERT_FILE" = /ca.crt ] || { echo "x509: certificate signed by unknown authority" >&2; exit 1; }
case "$1 $2" in
  "catalog 10.0.0.1") printf 'demo-org/charts/demo\\ndemo-org/demo\\n' ;;
  "ls 10.0.0.1/demo-org/demo") printf '0.2.1\\n0.2.0\\n' ;;
  "ls 10.0.0.1/demo-org/charts/demo") echo 0.2.0 ;;
  "manifest 10.0.0.1/demo-org/demo:"*) cat "${dir}/index.json" ;;
  "manifest 10.0.0.1/demo-org/demo@sha256:arm") cat "${dir}/arm64.json" ;;
  "manifest 10.0.0.1/demo-org/charts/demo:0.2.0") cat "${dir}/chart.json" ;;
  "export --platform") [ "$3 $4" = "linux/arm64 10.0.0.1/demo-org/demo:0.2.0" ] || exit 1; tar -cf "$5" -C "${dir}/fs" usr ;;
  *) echo "unexpected: $*" >&2; exit 1 ;;
esac
`,
);
chmodSync(fake, 0o755);
process.env.CRANE = fake;

test("one row per repository, tag and platform, in the table the e2e's release step reads", () => {
  const lines = [HEADER, ...report("/ca.crt", "10.0.0.1").map(formatRow)];
  expect(lines.map((l) => l.replace(/ +/g, " "))).toEqual([
    "repository tag platform layers compressed media",
    "demo-org/charts/demo 0.2.0 - 1 0.0 MB vnd.cncf.helm.config.v1 gzip",
    "demo-org/demo 0.2.0 linux/arm64 2 2.5 MB vnd.oci.image.config.v1 zstd",
    "demo-org/demo 0.2.1 linux/arm64 2 2.5 MB vnd.oci.image.config.v1 zstd",
  ]);
  expect(lines[2]).toMatch(/^demo-org\/demo +0\.2\.0 +linux\/arm64 /);
});

test("a file comes out of the platform's image with its mode", () => {
  const out = join(dir, "demo-arm64");
  extract("/ca.crt", "10.0.0.1", "demo-org/demo:0.2.0", "linux/arm64", "/usr/local/bin/demo", out);
  expect(readFileSync(out, "utf8")).toBe("#!/bin/sh\necho demo\n");
  expect(statSync(out).mode & 0o777).toBe(0o755);
});

test("a path the image lacks, or crane failing, is an error naming it", () => {
  expect(() =>
    extract(
      "/ca.crt",
      "10.0.0.1",
      "demo-org/demo:0.2.0",
      "linux/arm64",
      "etc/none",
      join(dir, "x"),
    ),
  ).toThrow("etc/none is not in demo-org/demo:0.2.0 (linux/arm64)");
  expect(() => report("/other.crt", "10.0.0.1")).toThrow(
    "x509: certificate signed by unknown authority",
  );
});
