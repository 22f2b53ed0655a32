// Throwaway certificates for TLS tests, made by openssl: a CA and a server certificate it
// signs for 127.0.0.1 and localhost, the names a local test reaches a server by (so a failure
// is about the CA, not about naming). Elliptic-curve keys: made in milliseconds.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { requireTool, tempDir } from "./server-process";

export interface TestCa {
  /** PEM files. */
  ca: string;
  cert: string;
  key: string;
}

/** Runs `openssl <args>` in `dir`, with `-subj subject` when given (it has spaces). */
function openssl(dir: string, args: string, subject?: string) {
  const command = [
    requireTool("openssl"),
    ...args.split(" "),
    ...(subject ? ["-subj", subject] : []),
  ];
  const run = Bun.spawnSync(command, { cwd: dir });
  if (run.exitCode !== 0) throw new Error(`openssl ${args} failed: ${run.stderr.toString()}`);
}

/** A new CA (`name` in its subject) and a server certificate it signed, in a temp dir. */
export function throwawayCa(name: string): TestCa {
  const dir = tempDir(`tls-${name}`);
  const key = "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes";
  openssl(dir, `req -x509 ${key} -keyout ca-key.pem -out ca.pem -days 2`, `/CN=${name} test CA`);
  openssl(dir, `req ${key} -keyout server-key.pem -out server.csr`, "/CN=localhost");
  writeFileSync(join(dir, "san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  openssl(
    dir,
    "x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -out server.pem -extfile san.ext -days 2",
  );
  return {
    ca: join(dir, "ca.pem"),
    cert: join(dir, "server.pem"),
    key: join(dir, "server-key.pem"),
  };
}
