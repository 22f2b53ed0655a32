// A real MariaDB for tests: `mariadbd` from Debian's mariadb-server, on a free port with its
// data in a temp dir, or the server TEST_MYSQL_URL names. Each suite gets its own database
// and its own user with a password, so the real authentication path is exercised.
import { cpSync } from "node:fs";
import { join } from "node:path";
import mysql from "mysql2/promise";
import { freePort } from "./processes";
import { LocalServer, requireTool, ServerProcess, tempDir } from "./server-process";

const asRoot = process.getuid?.() === 0 ? ["--user=root"] : [];
let template: Promise<string> | undefined;

/** mariadb-install-db runs once per test process; each server starts from a copy. */
function dataTemplate() {
  template ??= (async () => {
    const templateDir = tempDir("mariadb-template");
    const datadir = join(templateDir, "data");
    const install = Bun.spawn(
      [
        requireTool("mariadb-install-db"),
        "--no-defaults",
        `--datadir=${datadir}`,
        // Its own temp dir: runs starting at once must not share /tmp's temporary tables.
        `--tmpdir=${templateDir}`,
        "--auth-root-authentication-method=normal",
        "--skip-test-db",
        "--skip-name-resolve",
        ...asRoot,
      ],
      { stdout: "pipe", stderr: "pipe" },
    );
    if ((await install.exited) !== 0)
      throw new Error(`mariadb-install-db failed:\n${await new Response(install.stderr).text()}`);
    return datadir;
  })();
  return template;
}

export class LocalMariaDb extends LocalServer {
  private constructor(
    readonly port: number,
    private readonly socket: string,
    process: ServerProcess,
  ) {
    super(process);
  }

  /** Starts a new server with an empty data dir. */
  static async start() {
    const mariadbd = requireTool("mariadbd");
    const dir = tempDir("mariadb");
    cpSync(await dataTemplate(), join(dir, "data"), { recursive: true });
    const port = await freePort();
    const socket = join(dir, "mariadb.sock");
    const server = new ServerProcess(
      "mariadbd",
      [
        mariadbd,
        "--no-defaults",
        `--datadir=${join(dir, "data")}`,
        `--socket=${socket}`,
        `--tmpdir=${dir}`,
        `--port=${port}`,
        "--bind-address=127.0.0.1",
        `--pid-file=${join(dir, "mariadb.pid")}`,
        "--skip-name-resolve",
        "--skip-log-bin",
        "--innodb-buffer-pool-size=32M",
        "--innodb-flush-log-at-trx-commit=2",
        ...asRoot,
      ],
      join(dir, "mariadbd.log"),
    );
    const db = new LocalMariaDb(port, socket, server);
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

  /** A connection as root over the socket, for setting up databases and users. */
  admin() {
    return mysql.createConnection({ socketPath: this.socket, user: "root" });
  }

  /** A new database and a user with a password that may use it; resolves with its URL. */
  async createDatabase() {
    const suffix = crypto.randomUUID().slice(0, 8);
    const [database, user] = [`demo_${suffix}`, `user_${suffix}`];
    // Characters that must be escaped in a URL, to prove MYSQL_URL decoding works.
    const password = `p@ss:/${suffix}`;
    const admin = await this.admin();
    try {
      await admin.query(`CREATE DATABASE \`${database}\``);
      await admin.query("CREATE USER ?@'%' IDENTIFIED BY ?", [user, password]);
      await admin.query(`GRANT ALL ON \`${database}\`.* TO ?@'%'`, [user]);
    } finally {
      await admin.end();
    }
    return `mysql://${user}:${encodeURIComponent(password)}@127.0.0.1:${this.port}/${database}`;
  }
}

let shared: Promise<{ createDatabase(): Promise<string> }> | undefined;

/** The server suites share: TEST_MYSQL_URL's, or one started for this test process. */
export function sharedMySql() {
  shared ??= process.env.TEST_MYSQL_URL
    ? Promise.resolve(new ExternalMySql(process.env.TEST_MYSQL_URL))
    : LocalMariaDb.start();
  return shared;
}

/** An existing server: each suite gets a new database, with TEST_MYSQL_URL's credentials. */
class ExternalMySql {
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
