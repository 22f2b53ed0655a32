// The default-mode steps (50-54): the README's own path, `helm install demo ./charts/demo`
// with no values, in the namespace a user's kubectl starts in.
import { asPublic, cluster, type KObject, kget, run } from "./cluster";

export const NS = "default";
export const RELEASE = "demo";
export const CHART = "./charts/demo";
export const USERS_CHART = "charts/demo/charts/users";
export const API =
  "app.kubernetes.io/instance=demo,app.kubernetes.io/name=users,app.kubernetes.io/component=api";
export const MYSQL = "app.kubernetes.io/instance=demo,app.kubernetes.io/name=mysql";
export const REDIS = "app.kubernetes.io/instance=demo,app.kubernetes.io/name=redis";

const yq = async (expression: string, file: string) =>
  (await run(["yq", "-r", expression, file])).stdout.trim();

/** The image the chart's defaults run: global.image.repository at the chart's appVersion. */
export async function defaultImage() {
  const repository = await yq(".global.image.repository", "charts/demo/values.yaml");
  const tag = await yq(".appVersion", "charts/demo/Chart.yaml");
  return `${repository}:${tag}`;
}

/**
 * The checkout's Dockerfile built by BuildKit and pushed under NAME (the stand-in registry plays
 * ghcr.io), as `minikube image build -t NAME .` puts it where the cluster finds it.
 */
export async function buildImage(name: string) {
  await asPublic([
    `${cluster.releaseToolsBin}/buildctl`,
    "build",
    "--frontend=dockerfile.v0",
    "--local=context=.",
    "--local=dockerfile=.",
    "--opt=platform=linux/amd64",
    `--output=type=image,name=${name},push=true`,
  ]);
}

/** Every container image of the pods matching the selector. */
export async function imagesOf(selector: string) {
  const { items } = await kget(["pods", "-n", NS, "-l", selector]);
  return [
    ...new Set(
      items.flatMap((p: KObject) => p.spec.containers.map((c: { image: string }) => c.image)),
    ),
  ].sort();
}

/** Name, uid and restart count of each API pod: the drills assert the API was never restarted. */
export async function apiPods() {
  const { items } = await kget(["pods", "-n", NS, "-l", API]);
  return items
    .map(
      (p) =>
        `${p.metadata.name} ${p.metadata.uid} restarts=${p.status?.containerStatuses?.[0]?.restartCount}`,
    )
    .sort();
}
