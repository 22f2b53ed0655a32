// helm install of the released chart 0.2.0 from its OCI registry, then helm test, by
// scripts/k8s/install-and-test.sh (the script the kind job of ci.yaml runs): no image override,
// so every pod pulls the published image by name; MariaDB and Redis of step 20 for the users
// system's external mode and the heartbeat server's Redis store; a namespace that enforces the
// restricted Pod Security profile. Every pod Ready, every container on the digest release.sh
// pushed (the chart's global.image.digest), which containerd pulled through the ghcr.io mirror.
// Writes $STATE/e2e-values.yaml, which the upgrade (40) uses again.
import { expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { waitFor } from "../../src/testing/wait";
import { asPublic, cluster, kget, kubectl, ready, run, say } from "./lib/cluster";
import {
  chartRef,
  deps,
  imageRepo,
  nodePorts,
  ns,
  publishFile,
  readKeyValues,
  release,
  v1,
  valuesFile,
} from "./lib/release";

/** The install's values. JSON is YAML: helm reads this file as it is. */
function values() {
  const { mysql, redis } = deps();
  const secretKey = (existingSecret: string, key: string) => ({
    existingSecret,
    existingSecretPasswordKey: key,
  });
  const redisRef = {
    host: redis.host,
    port: redis.port,
    ...secretKey("demo-e2e-redis", "redis-password"),
  };
  return {
    echo: { enabled: true, service: { type: "NodePort", nodePort: nodePorts.echo } },
    heartbeat: {
      enabled: true,
      service: { type: "NodePort", nodePort: nodePorts.heartbeat },
      server: { replicaCount: 2 },
      // Only the release's clients, its test pod and pods labelled demo-heartbeat-client reach
      // the server, and the node port from this host (kube-proxy keeps the client's address).
      networkPolicy: {
        allowExternal: false,
        extraIngress: [
          {
            from: [
              { ipBlock: { cidr: `${cluster.hostIp}/32` } },
              { ipBlock: { cidr: `${cluster.nodeIp}/32` } },
            ],
            ports: [{ port: "http", protocol: "TCP" }],
          },
        ],
      },
      store: { type: "redis", redis: redisRef },
    },
    users: {
      enabled: true,
      service: { type: "NodePort", nodePort: nodePorts.users },
      mysql: { enabled: false },
      redis: { enabled: false },
      externalDatabase: {
        host: mysql.host,
        port: mysql.port,
        database: mysql.database,
        user: mysql.user,
        ...secretKey("demo-e2e-mysql", "mysql-password"),
      },
      externalRedis: redisRef,
    },
  };
}

test(`helm install ${release} ${chartRef} --version ${v1}, then helm test`, async () => {
  const { mysql, redis } = deps();
  // Created or updated (kubectl create's object, applied): the step runs again after 41.
  const ensure = async (create: string[]) =>
    kubectl(["apply", "-f", "-"], {
      stdin: (await kubectl(["create", ...create, "--dry-run=client", "-o", "json"])).stdout,
    });
  await ensure(["namespace", ns]);
  const restricted = ["enforce", "warn"].map(
    (mode) => `pod-security.kubernetes.io/${mode}=restricted`,
  );
  await kubectl(["label", "--overwrite", "namespace", ns, ...restricted]);
  const secret = (name: string, key: string, value: string) =>
    ensure(["secret", "generic", name, "-n", ns, `--from-literal=${key}=${value}`]);
  await secret("demo-e2e-mysql", "mysql-password", mysql.password);
  await secret("demo-e2e-redis", "redis-password", redis.password);
  writeFileSync(valuesFile, `${JSON.stringify(values(), null, 2)}\n`);
  const env = { HELM: cluster.helm, KUBECONFIG: cluster.kubeconfig, NAMESPACE: ns, TIMEOUT: "5m" };
  const install = [
    "scripts/k8s/install-and-test.sh",
    release,
    chartRef,
    "--version",
    v1,
    "-f",
    valuesFile,
  ];
  const installed = await asPublic(["bash", ...install], { env });
  process.stderr.write(installed.stderr + installed.stdout);
});

test("every pod but the completed helm test pods is Ready", async () => {
  await waitFor(
    `every pod of ${ns} Ready`,
    async () => {
      const live = (await kget(["pods", "-n", ns])).items.filter(
        (p) => p.status?.phase !== "Succeeded",
      );
      const notReady = live.filter((p) => !ready(p));
      return live.length > 0 && notReady.length === 0;
    },
    120_000,
    1000,
  );
  process.stderr.write((await kubectl(["-n", ns, "get", "pods", "-o", "wide"])).stdout);
});

test(`every container runs ${imageRepo}:${v1} pinned by the published digest, pulled by containerd`, async () => {
  const digest = readKeyValues(publishFile(v1))["image-digest"];
  const pinned = `${imageRepo}:${v1}@${digest}`;
  const images = new Set(
    (await kget(["pods", "-n", ns])).items.flatMap((p) =>
      p.spec.containers.map((c: { image: string }) => c.image),
    ),
  );
  expect([...images]).toEqual([pinned]);
  const pulled = (
    await run(["ctr", "--address", cluster.containerdSock, "-n", "k8s.io", "images", "ls", "-q"])
  ).stdout
    .split("\n")
    .filter((ref) => [`${imageRepo}:${v1}`, `${imageRepo}@${digest}`, pinned].includes(ref));
  expect(pulled).not.toEqual([]);
  say(`ok: every pod runs ${pinned}, pulled by containerd through the ghcr.io mirror`);
});
