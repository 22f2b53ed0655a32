// What the e2e releases and installs, written once for every step: the names, versions and node
// ports, and the files earlier steps leave in $STATE for later ones (so that one step can be
// re-run alone against a kept cluster).
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { asPublic, bun, cluster, repo, run } from "./cluster";

export const ns = "demo";
export const release = "demo";
/** A GitHub owner with capitals, as many have: every reference must come out lowercase. */
export const owner = "Demo-Org";
export const v1 = "0.2.0";
export const v2 = "0.2.1";
export const chartRef = "oci://ghcr.io/demo-org/charts/demo";
export const imageRepo = "ghcr.io/demo-org/demo";
export const nodePorts = { echo: 30080, heartbeat: 30081, users: 30082 };

/** The values of the install (21) and the upgrade (40). */
export const valuesFile = join(cluster.state, "e2e-values.yaml");
/** What scripts/release/publish.sh printed for a version (11), read by the install's digest check. */
export const publishFile = (version: string) => join(cluster.state, `publish-${version}.txt`);

/** A file of NAME=VALUE lines (publish.sh's output, host-deps.sh's deps.env) as a record. */
export function readKeyValues(file: string): Record<string, string> {
  const entries = readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.includes("="))
    .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]);
  return Object.fromEntries(entries);
}

/** MariaDB and Redis for users' external mode, as scripts/cluster/host-deps.sh (20) wrote them. */
export function deps() {
  const env = readKeyValues(join(cluster.state, "deps.env"));
  const get = (key: string) => {
    const value = env[key];
    if (!value) throw new Error(`${key} missing from ${cluster.state}/deps.env: run step 20`);
    return value;
  };
  return {
    mysql: {
      host: get("MYSQL_HOST"),
      port: Number(get("MYSQL_PORT")),
      database: get("MYSQL_DATABASE"),
      user: get("MYSQL_USER"),
      password: get("MYSQL_PASSWORD"),
    },
    redis: {
      host: get("REDIS_HOST"),
      port: Number(get("REDIS_PORT")),
      password: get("REDIS_PASSWORD"),
    },
  };
}

/**
 * A release script (scripts/release.sh, scripts/release/publish.sh) as the release workflow runs it:
 * the release tools (BuildKit's client) and helm on PATH, OWNER set, the public names reaching
 * the stand-in registry.
 */
export const releaseScript = (
  script: string,
  args: string[],
  options: Parameters<typeof run>[1] = {},
) =>
  asPublic(["bash", script, ...args], {
    ...options,
    env: {
      PATH: `${cluster.releaseToolsBin}:${dirname(cluster.helm)}:${process.env.PATH}`,
      OWNER: owner,
      ...options.env,
    },
  });

/**
 * What the stand-in registry holds: `demo-org/demo  0.2.0  linux/arm64  <size>` lines, or with
 * `--extract REPO:TAG PLATFORM PATH OUT` a file copied out of an image.
 */
export const registryReport = async (...args: string[]) =>
  (
    await run([
      bun,
      join(repo, "scripts/cluster/registry-report.ts"),
      "--ca",
      join(cluster.registryDir, "ca.crt"),
      `https://${cluster.hostIp}`,
      ...args,
    ])
  ).stdout;
