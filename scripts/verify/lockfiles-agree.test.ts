import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { bunPins, differences, npmPins } from "./lockfiles-agree";

const read = (file: string) => readFileSync(join(import.meta.dir, "../..", file), "utf8");

test("the committed lock files pin the same packages", () => {
  expect(differences(bunPins(read("bun.lock")), npmPins(read("package-lock.json")))).toEqual([]);
});

test("a package at another version in package-lock.json is named", () => {
  const npm = JSON.parse(read("package-lock.json"));
  npm.packages["node_modules/ioredis"].version = "5.0.0";
  const found = differences(bunPins(read("bun.lock")), npmPins(JSON.stringify(npm)));
  expect(found).toHaveLength(2);
  expect(found.join("\n")).toContain("only in package-lock.json: ioredis@5.0.0");
});
