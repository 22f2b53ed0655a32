// A real Redis for tests: `redis-server` from Debian on a free port, no persistence, with a
// password; or the server TEST_REDIS_URL names.
import { join } from "node:path";
import { Redis } from "ioredis";
import { freePort } from "./processes";
import { LocalServer, requireTool, ServerProcess, tempDir } from "./server-process";

export class LocalRedis extends LocalServer {
  private constructor(
    readonly url: string,
    process: ServerProcess,
  ) {
    super(process);
  }

  static async start() {
    const redisServer = requireTool("redis-server");
    const dir = tempDir("redis");
    const port = await freePort();
    const password = crypto.randomUUID();
    const server = new ServerProcess(
      "redis-server",
      [
        redisServer,
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--requirepass",
        password,
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        dir,
      ],
      join(dir, "redis.log"),
    );
    const redis = new LocalRedis(`redis://:${password}@127.0.0.1:${port}`, server);
    await redis.start();
    return redis;
  }

  /** (Re)starts the server on the same port; resolves when it answers PING. */
  start() {
    return this.process.start(async () => {
      const client = new Redis(this.url, { lazyConnect: true, retryStrategy: () => null });
      client.on("error", () => {}); // not up yet: connect() rejects, that is enough
      try {
        await client.connect();
        return (await client.ping()) === "PONG";
      } finally {
        client.disconnect();
      }
    });
  }
}

let shared: Promise<{ url: string }> | undefined;

/** The server suites share (each with its own key prefix): TEST_REDIS_URL's, or a local one. */
export function sharedRedis() {
  shared ??= process.env.TEST_REDIS_URL
    ? Promise.resolve({ url: process.env.TEST_REDIS_URL })
    : LocalRedis.start();
  return shared;
}
