import { afterAll, describe, expect, test } from "bun:test";
import { startTestApi } from "../testing/users-api";
import { CheckFailed } from "./expect";
import { checkUsers } from "./users";

const apis: Array<Awaited<ReturnType<typeof startTestApi>>> = [];
afterAll(() => Promise.all(apis.map((api) => api.stop())));
const api = async (env: Record<string, string>) => {
  const started = await startTestApi(env);
  apis.push(started);
  return started;
};

describe("demo check users", () => {
  test("passes against a working users API", async () => {
    await checkUsers((await api({ MIGRATE_ON_START: "false" })).base);
  });

  test("fails with the exchange that went wrong, here a cache that never hits", async () => {
    const run = checkUsers((await api({ CACHE_TTL_SECONDS: "0" })).base);
    await expect(run).rejects.toBeInstanceOf(CheckFailed);
    await expect(run).rejects.toThrow(
      /^GET \/users\/check-\S+: header x-cache: BYPASS, expected MISS$/,
    );
  });
});
