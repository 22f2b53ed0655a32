// Real MySQL servers for tests, either flavour (mysql-flavours.ts) behind one interface: on a
// free port with the data in a temp dir, or the server TEST_MYSQL_URL names. Each suite gets
// its own database and its own user with a password, so the real authentication path is
// exercised (on MySQL 9 the default caching_sha2_password, with a cold login cache).
import { cpSync } from "node:fs";
import { join } from "node:path";
import mysql from "mysql2/promise";
import { FLAVOURS, type Flavour, flavourCommands } from "./mysql-flavours";
import { freePort } from "./processes";
import { LocalServer, ServerProcess, tempDir } from "./server-process";

/** What the shared suites need of a server: a new database (and user) each. */
export interface TestMySql {
  /** A new database and a user with a password that may use it; resolves with its URL. */
  createDatabase(): Promise<string>;
}

const templates = new Map<Flavour, Promise<string>>();

/** Each flavour's data dir is initialised once per test process; servers start from a copy. */
function dataTemplate(flavour: Flavour) {
  let template = templates.get(flavour);
  if (!template) {
    template = (async () => {
      const dir = tempDir(`${flavour}-template`);
      const datadir = join(dir, "data");
      const install = Bun.spawn(flavourCommands(flavour).initialize(datadir, dir), {
        stdout: "pipe",
        stderr: "pipe",
      });
      if ((await install.exited) !== 0)
        throw new Error(
          `initialising ${flavour} failed:\n${await new Response(install.stderr).text()}`,
        );
      return datadir;
    })();
    templates.set(flavour, template);
  }
  return template;
}

export class LocalMySql extends LocalServer implements TestMySql {
  private constructor(
    readonly flavour: Flavour,
    readonly port: number,
    private readonly socket: string,
    process: ServerProcess,
  ) {
    super(process);
  }

  /** Starts a new server with an empty data dir; `flags` are added to its command line. */
  static async start(flavour: Flavour, flags: string[] = []) {
    const commands = flavourCommands(flavour);
    const dir = tempDir(flavour);
    const datadir = join(dir, "data");
    cpSync(await dataTemplate(flavour), datadir, { recursive: true });
    const port = await freePort();
    const socket = join(dir, "server.sock");
    const server = new ServerProcess(
      flavour,
      [...commands.serve({ datadir, dir, port, socket }), ...flags],
      join(dir, "server.log"),
    );
    const db = new LocalMySql(flavour, port, socket, server);
    await db.start();
    return db;
  }

  /** (Re)starts the server on the same port and data; resolves when it takes connections. */
  start() {
    return this.process.start(async () => {
      await (await this.admin()).end();
      return true;
    });
  }

  /** A connection as root over the socket (secure transport even when TLS is required). */
  admin() {
    return mysql.createConnection({ socketPath: this.socket, user: "root" });
  }

  async createDatabase() {
    const suffix = crypto.randomUUID().slice(0, 8);
    const [database, user] = [`demo_${suffix}`, `user_${suffix}`];
    // Characters that must be escaped in a URL, to prove MYSQL_URL decoding works.
    const password = `p@ss:/${suffix}`;
    const admin = await this.admin();
    try {
      await admin.query(`CREATE DATABASE \`${database}\``);
      // The server's default authentication plugin: caching_sha2_password on MySQL 9.
      await admin.query("CREATE USER ?@'%' IDENTIFIED BY ?", [user, password]);
      await admin.query(`GRANT ALL ON \`${database}\`.* TO ?@'%'`, [user]);
    } finally {
      await admin.end();
    }
    return `mysql://${user}:${encodeURIComponent(password)}@127.0.0.1:${this.port}/${database}`;
  }
}

const shared = new Map<string, Promise<TestMySql>>();

/** The server suites share, one per flavour and test process. */
export function sharedMySql(flavour: Flavour): Promise<TestMySql> {
  let server = shared.get(flavour);
  if (!server) {
    server = LocalMySql.start(flavour);
    shared.set(flavour, server);
  }
  return server;
}

/**
 * What the shared suites run on, for describe.each: every flavour, or only the server
 * TEST_MYSQL_URL names. The fault tests start their own servers of every flavour, since they
 * stop them.
 */
export function testMySqls(): Array<[string, () => Promise<TestMySql>]> {
  const external = process.env.TEST_MYSQL_URL;
  if (external) return [["TEST_MYSQL_URL", async () => new ExternalMySql(external)]];
  return FLAVOURS.map((flavour) => [flavour, () => sharedMySql(flavour)]);
}

/** An existing server: each suite gets a new database, with TEST_MYSQL_URL's credentials. */
class ExternalMySql implements TestMySql {
  constructor(private readonly url: string) {}

  async createDatabase() {
    const database = `demo_${crypto.randomUUID().slice(0, 8)}`;
    const admin = await mysql.createConnection({ uri: this.url });
    try {
      await admin.query(`CREATE DATABASE \`${database}\``);
    } finally {
      await admin.end();
    }
    const url = new URL(this.url);
    url.pathname = `/${database}`;
    return url.href;
  }
}
