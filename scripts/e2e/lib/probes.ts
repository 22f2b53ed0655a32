// The pods of the NetworkPolicy step (24): stand-ins that listen with Bitnami's labels and port
// names, and probe pods that try one TCP connection each (Debian's bash in the oven/bun stand-in,
// /dev/tcp). All under the namespace's restricted Pod Security profile.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { kubectl, repo } from "./cluster";
import { ns, release } from "./release";

/** The label every pod of the step carries, so that it can be waited for and deleted. */
export const probeLabel = "demo-e2e=netpol";

/** The Dockerfile's oven/bun image: its bash does the probing. */
export function probeImage() {
  const image = readFileSync(join(repo, "Dockerfile"), "utf8").match(
    /^FROM\s.*?(oven\/bun:\S+)/im,
  )?.[1];
  if (!image) throw new Error("the Dockerfile names no oven/bun image");
  return image;
}

/** The labels the chart's policies select a system's pods by. */
export const labelsOf = (name: string, component?: string) => ({
  "app.kubernetes.io/name": name,
  "app.kubernetes.io/instance": release,
  ...(component && { "app.kubernetes.io/component": component }),
});

export function pod(
  name: string,
  image: string,
  labels: Record<string, string>,
  args: string[],
  port = 8080,
  portName = "http",
) {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, labels: { ...labels, "demo-e2e": "netpol" } },
    spec: {
      automountServiceAccountToken: false,
      terminationGracePeriodSeconds: 1,
      securityContext: {
        runAsNonRoot: true,
        runAsUser: 65532,
        runAsGroup: 65532,
        seccompProfile: { type: "RuntimeDefault" },
      },
      containers: [
        {
          name: "main",
          image,
          args,
          env: [
            { name: "PORT", value: String(port) },
            { name: "LOG_FORMAT", value: "json" },
          ],
          ports: [{ name: portName, containerPort: port }],
          securityContext: {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ["ALL"] },
          },
        },
      ],
    },
  };
}

/** Whether a TCP connection from the pod to HOST:PORT opens within 4 s. */
export async function flowState(from: string, address: string) {
  const [host, port] = address.split(":");
  const { code } = await kubectl(
    [
      "-n",
      ns,
      "exec",
      from,
      "--",
      "timeout",
      "4",
      "bash",
      "-c",
      `exec 3<>/dev/tcp/${host}/${port}`,
    ],
    {
      allowFail: true,
    },
  );
  return code === 0 ? "open" : "closed";
}
