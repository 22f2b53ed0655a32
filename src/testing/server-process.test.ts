import { expect, test } from "bun:test";
import { requireTool } from "./server-process";

test("a missing server binary fails with the install step", () => {
  expect(() => requireTool("mariadbd-that-is-not-there")).toThrow(
    "mariadbd-that-is-not-there is not installed: run scripts/tools.sh (apt: mariadb-server redis-server)",
  );
});
