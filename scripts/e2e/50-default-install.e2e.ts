// The README's own path with the chart's defaults, as most users run it: the Dockerfile built
// into the image name the defaults run (as `minikube image build` would), `helm dependency
// build` of the users chart from oci://registry-1.docker.io/bitnamicharts (the stand-in
// registry, Bitnami's chart sources), `helm install demo ./charts/demo --wait` with no values
// file and no --set, `helm test demo --logs`, then `demo check` of each system from outside.
// MySQL and Redis run the bitnamilegacy images (the stand-ins of scripts/stand-ins/), MySQL on
// a PVC bound by the cluster's default StorageClass; every NetworkPolicy is enforced.
import { expect, test } from "bun:test";
import {
  cluster,
  demoCheck,
  helm,
  type KObject,
  kget,
  kubectl,
  nodePortUrl,
  say,
} from "./lib/cluster";
import {
  API,
  buildImage,
  CHART,
  defaultImage,
  imagesOf,
  MYSQL,
  NS,
  REDIS,
  RELEASE,
  USERS_CHART,
} from "./lib/defaults";

test("the Dockerfile, built by BuildKit into the image the defaults run", async () => {
  const image = await defaultImage();
  await buildImage(image);
  say(`ok: built and pushed ${image}`);
});

test("helm dependency build charts/demo/charts/users: the Bitnami charts from their OCI registry", async () => {
  const { stdout, stderr } = await helm(["dependency", "build", USERS_CHART]);
  expect(stdout + stderr).toContain("oci://registry-1.docker.io/bitnamicharts");
  const list = (await helm(["dependency", "list", USERS_CHART])).stdout;
  for (const name of ["mysql", "redis"])
    expect(list).toMatch(new RegExp(`^${name}\\s.*\\sok\\s*$`, "m"));
});

test("helm install demo ./charts/demo --wait: no values file, no --set", async () => {
  const started = Date.now();
  await helm(["install", RELEASE, CHART, "--namespace", NS, "--wait", "--timeout", "10m"]);
  say(`ok: installed and ready in ${Math.round((Date.now() - started) / 1000)} s`);
  expect(await imagesOf(MYSQL)).toEqual(["docker.io/bitnamilegacy/mysql:9.3.0-debian-12-r2"]);
  expect(await imagesOf(REDIS)).toEqual(["docker.io/bitnamilegacy/redis:8.0.2-debian-12-r4"]);
  expect(await imagesOf(API)).toEqual([await defaultImage()]);
  const pvcs = (await kget(["pvc", "-n", NS, "-l", MYSQL])).items;
  expect(pvcs.map((p) => [p.metadata.name, p.status.phase, p.spec.storageClassName])).toEqual([
    ["data-demo-mysql-0", "Bound", expect.any(String)],
  ]);
  const classes = (await kget(["storageclass"])).items;
  const byDefault = classes.filter(
    (c) => c.metadata.annotations?.["storageclass.kubernetes.io/is-default-class"] === "true",
  );
  expect(byDefault.map((c) => c.metadata.name)).toEqual([pvcs[0]?.spec.storageClassName]);
  say(
    `ok: MySQL's data on ${pvcs[0]?.spec.volumeName} (StorageClass ${pvcs[0]?.spec.storageClassName}, the cluster's default)`,
  );
  say(
    (await kubectl(["get", "pods,pvc", "-n", NS, "-o", "wide"])).stdout
      .trimEnd()
      .replaceAll("\n", "\n  "),
  );
});

test("helm test demo --logs", async () => {
  const { stdout } = await helm(["test", RELEASE, "--namespace", NS, "--logs", "--timeout", "5m"]);
  for (const system of ["echo", "users", "heartbeat"])
    expect(stdout).toMatch(new RegExp(`TEST SUITE:\\s+demo-${system}`));
  expect(stdout).not.toMatch(/Phase:\s+Failed/);
});

test("demo check each system from outside, as minikube service --url (and port-forward) give them", async () => {
  // echo (LoadBalancer) and users (NodePort) have node ports; heartbeat is a ClusterIP
  // Service, which a user reaches with kubectl port-forward as the NOTES say.
  say(await demoCheck("echo", await nodePortUrl(NS, "demo-echo")));
  say(await demoCheck("users", await nodePortUrl(NS, "demo-users")));
  const token = (await kget(["secret", "-n", NS, "-l", "app.kubernetes.io/name=heartbeat"]))
    .items[0]?.data?.token;
  expect(token).toBeString();
  const servicePort = (await kget<KObject>(["service", "demo-heartbeat", "-n", NS])).spec.ports[0]
    .port;
  const forward = Bun.spawn(
    [
      cluster.kubectl,
      "--kubeconfig",
      cluster.kubeconfig,
      "port-forward",
      "-n",
      NS,
      "service/demo-heartbeat",
      `:${servicePort}`,
    ],
    { stdout: "pipe", stderr: "pipe" },
  );
  try {
    const reader = forward.stdout.getReader();
    let seen = "";
    while (!/127\.0\.0\.1:(\d+)/.test(seen)) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`kubectl port-forward ended: ${seen}`);
      seen += new TextDecoder().decode(value);
    }
    const port = seen.match(/127\.0\.0\.1:(\d+)/)?.[1];
    say(
      await demoCheck("heartbeat", `http://127.0.0.1:${port}`, {
        HEARTBEAT_TOKEN: atob(token as string),
      }),
    );
  } finally {
    forward.kill();
  }
});
