// `demo version`: what this binary is.
import pkg from "../package.json";
import { defineCommand } from "./lib/command";
import { T } from "./lib/config";

export const version = defineCommand({
  summary: "prints the version",
  env: T.Object({}),
  run() {
    console.log(`demo ${pkg.version} (bun ${Bun.version}, ${process.platform}-${process.arch})`);
    return 0;
  },
});
