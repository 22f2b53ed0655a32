// Releases v0.2.0 and v0.2.1 through scripts/release/publish.sh, as the release workflow runs it: the
// Dockerfile built by BuildKit for amd64 and arm64 and pushed to ghcr.io/demo-org/demo, the chart
// to oci://ghcr.io/demo-org/charts, the digests of both read back from the registry. Then the
// registry's listing holds both platforms, and the arm64 image's binary runs under qemu: a
// cross-built binary that does not start on arm64 would pass every other check.
// Writes $STATE/publish-<version>.txt (the install checks the digest its pods run).
import { describe, expect, test } from "bun:test";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cluster, run, say } from "./lib/cluster";
import {
  chartRef,
  imageRepo,
  publishFile,
  readKeyValues,
  registryReport,
  releaseScript,
  v1,
  v2,
} from "./lib/release";

const chartName = chartRef.replace("oci://", "");
const digest = /^sha256:[0-9a-f]{64}$/;

describe.each([v1, v2])("publish.sh v%s", (version) => {
  test("prints the references and the digests read back from the registry", async () => {
    const { stdout, stderr } = await releaseScript("scripts/release/publish.sh", [`v${version}`]);
    process.stderr.write(stderr); // release.sh's own account: the builds, the pushes
    writeFileSync(publishFile(version), stdout);
    const printed = readKeyValues(publishFile(version));
    expect(printed).toMatchObject({
      image: `${imageRepo}:${version}`,
      "image-name": imageRepo,
      chart: `${chartName}:${version}`,
      "chart-name": chartName,
    });
    expect(printed["image-digest"]).toMatch(digest);
    expect(printed["chart-digest"]).toMatch(digest);
    say(
      `ok: v${version} published: image-digest=${printed["image-digest"]} chart-digest=${printed["chart-digest"]}`,
    );
  });
});

test(`the registry lists ${imageRepo}:${v1} for amd64 and arm64`, async () => {
  const report = await registryReport();
  writeFileSync(join(cluster.state, "registry-report.txt"), report);
  for (const line of report.trimEnd().split("\n")) say(line);
  const platforms = report
    .split("\n")
    .map((line) => line.split(/ +/))
    .filter(([repository, tag]) => repository === "demo-org/demo" && tag === v1)
    .map(([, , platform]) => platform);
  expect(platforms).toEqual(expect.arrayContaining(["linux/amd64", "linux/arm64"]));
});

test("the arm64 image's binary is an aarch64 ELF that runs under qemu", async () => {
  const binary = join(cluster.state, "demo-arm64");
  await registryReport(
    "--extract",
    `demo-org/demo:${v1}`,
    "linux/arm64",
    "usr/local/bin/demo",
    binary,
  );
  const kind = (await run(["file", "-b", binary])).stdout.trim();
  expect(kind).toContain("ARM aarch64");
  // The dynamic loader and libc of the arm64 base image (scripts/stand-ins/push.sh built it).
  const standIns = join(cluster.cacheRoot, "stand-ins");
  const base = readdirSync(standIns).find((name) => name.startsWith("distroless-arm64-"));
  if (!base) throw new Error(`no distroless-arm64-* in ${standIns}`);
  const ran = await run([
    "qemu-aarch64-static",
    "-L",
    join(standIns, base, "rootfs"),
    binary,
    "version",
  ]);
  const said = (ran.stdout + ran.stderr).trim();
  expect(said).toStartWith(`demo ${v1} `);
  expect(said).toEndWith("linux-arm64)");
  say(`ok: arm64 image: ${kind.split(",").slice(0, 2).join(",")}; under qemu: ${said}`);
});
