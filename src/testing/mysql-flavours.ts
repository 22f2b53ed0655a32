// The database servers the users tests run on, each as its own commands: Debian's MariaDB 10.11
// (installed on the host) and MySQL 9 (Debian sid's mysqld, run from a cached root filesystem
// through that tree's own dynamic loader: no chroot, no root, nothing installed on the host).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { requireTool } from "./server-process";

export const FLAVOURS = ["mariadb", "mysql9"] as const;
export type Flavour = (typeof FLAVOURS)[number];

export interface FlavourCommands {
  /** Initialises an empty data dir (root with no password, reachable over the socket). */
  initialize(datadir: string, tmpdir: string): string[];
  /** Runs the server; `dir` holds its socket, pid file and temporary files. */
  serve(options: { datadir: string; dir: string; port: number; socket: string }): string[];
}

const REPO = join(import.meta.dir, "../..");
// mysqld refuses to run as root unless told to; as any other user the flag is not needed.
const asRoot = process.getuid?.() === 0 ? ["--user=root"] : [];
// Small and not durable: test data, on a busy 2-core machine.
const LIGHT = [
  "--skip-name-resolve",
  "--skip-log-bin",
  "--innodb-buffer-pool-size=32M",
  "--innodb-flush-log-at-trx-commit=2",
];
const common = ({ datadir, dir, port, socket }: Parameters<FlavourCommands["serve"]>[0]) => [
  `--datadir=${datadir}`,
  `--socket=${socket}`,
  // Its own temp dir: servers starting at once must not share /tmp's temporary tables.
  `--tmpdir=${dir}`,
  `--port=${port}`,
  "--bind-address=127.0.0.1",
  `--pid-file=${join(dir, "server.pid")}`,
  ...LIGHT,
  ...asRoot,
  // Both flavours answer as the chart's MySQL does (MariaDB's own default is latin1).
  ...chartServerFlags(),
];

const mariadb = (): FlavourCommands => ({
  initialize: (datadir, tmpdir) => [
    requireTool("mariadb-install-db"),
    "--no-defaults",
    `--datadir=${datadir}`,
    `--tmpdir=${tmpdir}`,
    "--auth-root-authentication-method=normal",
    "--skip-test-db",
    "--skip-name-resolve",
    ...asRoot,
  ],
  serve: (options) => [requireTool("mariadbd"), "--no-defaults", ...common(options)],
});

const mysql9 = (): FlavourCommands => {
  const root = mysql9Root();
  const lib = join(root, "usr/lib/x86_64-linux-gnu");
  const mysqld = [
    join(lib, "ld-linux-x86-64.so.2"),
    "--library-path",
    lib,
    join(root, "usr/sbin/mysqld"),
    "--no-defaults", // must come first; and no /etc/mysql of the host is read
    // Compiled-in paths point at /usr: point them into the tree instead.
    `--basedir=${join(root, "usr")}`,
    `--lc-messages-dir=${join(root, "usr/share/mysql")}`,
    `--character-sets-dir=${join(root, "usr/share/mysql/charsets")}`,
    `--plugin-dir=${join(root, "usr/lib/mysql/plugin")}`,
  ];
  return {
    // Debian's compiled secure_file_priv (/var/lib/mysql-files) does not exist here.
    initialize: (datadir, tmpdir) => [
      ...mysqld,
      "--initialize-insecure",
      `--datadir=${datadir}`,
      `--tmpdir=${tmpdir}`,
      `--secure-file-priv=${tmpdir}`,
      ...asRoot,
    ],
    serve: (options) => [
      ...mysqld,
      ...common(options),
      `--secure-file-priv=${options.dir}`,
      "--mysqlx=OFF", // its fixed port 33060 would clash between servers
      "--performance-schema=OFF", // hundreds of MB otherwise
    ],
  };
};

export const flavourCommands = (flavour: Flavour) => ({ mariadb, mysql9 })[flavour]();

let rootfs: string | undefined;

/** The cached root filesystem of MySQL 9; missing, an error saying how to build it. */
function mysql9Root() {
  if (rootfs) return rootfs;
  const built = Bun.spawnSync(["bash", join(REPO, "scripts/stand-ins/mysql9-rootfs.sh")], {
    env: { ...process.env, DEBIAN_ROOTFS_CACHED_ONLY: "1" },
  });
  const root = built.stdout.toString().trim();
  if (built.exitCode !== 0 || !existsSync(join(root, "usr/sbin/mysqld")))
    throw new Error(`MySQL 9 is not available: ${built.stderr.toString().trim()}`);
  rootfs = root;
  return root;
}

/**
 * The server flags the chart gives the Bitnami MySQL (`mysql.primary.extraFlags` in the users
 * chart's values.yaml), so the test server answers as the deployed one does.
 */
export function chartServerFlags(): string[] {
  const values = Bun.YAML.parse(
    readFileSync(join(REPO, "charts/demo/charts/users/values.yaml"), "utf8"),
  ) as { mysql: { primary: { extraFlags: string } } };
  return values.mysql.primary.extraFlags.split(/\s+/).filter(Boolean);
}
