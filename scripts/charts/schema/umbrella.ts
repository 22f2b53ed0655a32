// charts/demo/values.schema.json (the umbrella: global values and each system's switch) and
// charts/demo/charts/demo-lib/values.schema.json (the library chart: no parameters). Written
// by generate.ts; each system's own keys are checked by its subchart's schema.
import { anyObject, DIGEST, obj, PULL_POLICIES, stringEnum, T, tracing } from "./blocks";

const DRAFT_07 = "http://json-schema.org/draft-07/schema#";

const system = (name: string) =>
  obj(
    { enabled: T.Boolean({ description: `Deploy the ${name} system` }) },
    { required: ["enabled"], open: true },
  );

export const umbrella = {
  $schema: DRAFT_07,
  title: "demo values",
  ...obj({
    global: obj({
      image: obj(
        {
          repository: T.String({
            description: "Repository of the one image every pod runs",
            minLength: 1,
          }),
          tag: T.String({ description: "Image tag (empty: chart appVersion)" }),
          pullPolicy: stringEnum(PULL_POLICIES),
          digest: T.String({ pattern: DIGEST, description: "Image digest (empty: by tag only)" }),
        },
        { required: ["repository"] },
      ),
      imagePullSecrets: T.Array(
        T.Unsafe({
          oneOf: [
            T.String({ minLength: 1 }),
            obj({ name: T.String({ minLength: 1 }) }, { required: ["name"] }),
          ],
        }),
      ),
      security: obj({
        allowInsecureImages: T.Boolean({
          description: "Let the Bitnami charts run the bitnamilegacy images",
        }),
      }),
      imageRegistry: T.String({ description: "Registry replacing every image's own" }),
      tracing: tracing(false),
      defaultStorageClass: T.String(),
      storageClass: T.String(),
      compatibility: obj({
        openshift: obj({ adaptSecurityContext: stringEnum(["auto", "force", "disabled"]) }),
      }),
    }),
    "demo-lib": anyObject("Library chart (no parameters)"),
    echo: system("echo"),
    heartbeat: system("heartbeat"),
    users: system("users"),
  }),
  description: "Each system's own keys are validated by its subchart's values.schema.json.",
};

export const demoLib = {
  $schema: DRAFT_07,
  title: "demo-lib values (library chart: no parameters)",
  ...obj({ global: anyObject() }),
};
