// What every e2e step shares: the cluster's settings (exported by scripts/e2e/run.sh from
// scripts/cluster/lib.sh, the one place they are written), commands that fail loudly with
// their output, kubectl's JSON, helm as a user's machine runs it, and node-port URLs.
import { join } from "node:path";
import { waitFor } from "../../../src/testing/wait";

function setting(name: string): string {
  const value = process.env[name];
  if (!value)
    throw new Error(
      `${name} is not set: run e2e steps through scripts/e2e/run.sh (it exports the cluster's settings)`,
    );
  return value;
}

export const repo = join(import.meta.dir, "../../..");
export const cluster = {
  nodeIp: setting("NODE_IP"),
  hostIp: setting("HOST_IP"),
  state: setting("STATE"),
  kubeconfig: setting("KUBECONFIG_FILE"),
  kubectl: join(setting("K8S_BIN"), "kubectl"),
  containerdSock: setting("CONTAINERD_SOCK"),
  helm: setting("HELM"),
  releaseToolsBin: setting("RELEASE_TOOLS_BIN"),
  registryDir: setting("REGISTRY_DIR"),
  cacheRoot: setting("CACHE_ROOT"),
};
/** The bun that runs the steps, for `demo` commands from source and the load generators. */
export const bun = process.execPath;

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end; throws with its output unless it exits 0 (or `allowFail`). */
export async function run(
  command: string[],
  options: { env?: Record<string, string>; stdin?: string; allowFail?: boolean; cwd?: string } = {},
): Promise<Ran> {
  const child = Bun.spawn(command, {
    cwd: options.cwd ?? repo,
    env: { ...process.env, ...options.env },
    stdin: options.stdin === undefined ? "ignore" : new TextEncoder().encode(options.stdin),
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  if (code !== 0 && !options.allowFail)
    throw new Error(`${command.join(" ")} exited ${code}\n${stderr}${stdout}`.trimEnd());
  return { code, stdout, stderr };
}

export const kubectl = (args: string[], options?: Parameters<typeof run>[1]) =>
  run([cluster.kubectl, "--kubeconfig", cluster.kubeconfig, ...args], options);

/** `kubectl get ... -o json`, parsed. */
export async function kget<T = KList>(args: string[]): Promise<T> {
  return JSON.parse((await kubectl(["get", ...args, "-o", "json"])).stdout) as T;
}

/** A command run as on a user's machine: the public registry names reach the stand-in registry. */
export const asPublic = (command: string[], options?: Parameters<typeof run>[1]) =>
  run(["bash", join(repo, "scripts/cluster/as-public.sh"), ...command], options);

/** helm with the cluster's kubeconfig, as a user's machine runs it. */
export const helm = (args: string[], options?: Parameters<typeof run>[1]) =>
  asPublic([cluster.helm, "--kubeconfig", cluster.kubeconfig, ...args], options);

export interface KObject {
  metadata: {
    name: string;
    namespace?: string;
    uid: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    deletionTimestamp?: string;
    ownerReferences?: { kind: string; name: string }[];
  };
  data?: Record<string, string>;
  // biome-ignore lint/suspicious/noExplicitAny: the rest of a Kubernetes object, read by each step
  spec?: any;
  // biome-ignore lint/suspicious/noExplicitAny: as above
  status?: any;
}
export interface KList<T = KObject> {
  items: T[];
}

/** Pods matching a label selector (every phase). */
export async function pods(namespace: string, selector: string) {
  return (await kget(["pods", "-n", namespace, "-l", selector])).items;
}

/** Whether a pod or a node has the condition Ready=True. */
export const ready = (o: KObject) =>
  o.status?.conditions?.some(
    (c: { type: string; status: string }) => c.type === "Ready" && c.status === "True",
  ) === true;

/** Waits until every pod matching the selector (and at least `min`) is Ready. */
export function waitReady(namespace: string, selector: string, min = 1, timeoutMs = 180_000) {
  return waitFor(
    `${min}+ Ready pods ${selector} in ${namespace}`,
    async () => {
      const running = (await pods(namespace, selector)).filter(
        (p) => !p.metadata.deletionTimestamp,
      );
      const readyPods = running.filter(ready);
      return running.length >= min && readyPods.length === running.length ? readyPods : false;
    },
    timeoutMs,
    1000,
  );
}

/** The URL `minikube service NAME --url` prints: the node's address and the Service's node port. */
export async function nodePortUrl(namespace: string, service: string) {
  const svc = await kget<KObject>(["service", service, "-n", namespace]);
  const port = svc.spec.ports?.[0]?.nodePort;
  if (!port)
    throw new Error(`service ${service} in ${namespace} has no node port (type ${svc.spec.type})`);
  return `http://${cluster.nodeIp}:${port}`;
}

/** `demo check SYSTEM URL` from the checkout (the exchange helm test runs in the cluster). */
export async function demoCheck(system: string, url: string, env: Record<string, string> = {}) {
  const { stdout, stderr } = await run([bun, "src/main.ts", "check", system, url], { env });
  return stdout + stderr;
}

/** A step's own lines in the e2e's output, indented under the step. */
export function say(line: string) {
  process.stderr.write(`  ${line}\n`);
}
