// MySQL 8.4/9's default authentication, caching_sha2_password, is not in Debian's MariaDB, so
// mysql2's own plugin is driven here through both of its paths, with the server's side of
// each exchange computed as MySQL does. It runs on Bun's crypto (RSA-OAEP included), as the
// binary does; the suites on MySQL 9 (mysql-servers.ts) log in through it for real.
import { describe, expect, test } from "bun:test";
import {
  constants,
  createHash,
  generateKeyPairSync,
  privateDecrypt,
  randomBytes,
} from "node:crypto";
import { authPlugins } from "mysql2";

const sha256 = (data: Buffer) => createHash("sha256").update(data).digest();
const xor = (a: Buffer, b: Buffer) =>
  Buffer.from(a.map((byte, i) => byte ^ (b[i % b.length] ?? 0)));

const password = "s3cret:p@ss/wörd";
const scramble = randomBytes(20);
const plugin = () =>
  (
    authPlugins.caching_sha2_password as (
      options: object,
    ) => (args: object) => (data: Buffer) => Buffer | null
  )({})({
    connection: { config: { password } },
  });

describe("mysql2 caching_sha2_password on Bun", () => {
  test("fast path: the scrambled token proves the password against the server's stored hash", () => {
    const token = plugin()(Buffer.concat([scramble, Buffer.from([0])])) as Buffer;
    // The server keeps SHA256(SHA256(password)) and recovers SHA256(password) from the token.
    const stored = sha256(sha256(Buffer.from(password)));
    const stage1 = xor(token, sha256(Buffer.concat([stored, scramble])));
    expect(sha256(stage1).equals(stored)).toBe(true);
  });

  test("full path without TLS: asks for the server's RSA key and sends the password encrypted", () => {
    const exchange = plugin();
    exchange(Buffer.concat([scramble, Buffer.from([0])]));
    // The server's cache is cold: it asks for full authentication (4); the client asks for the key (2).
    expect([...(exchange(Buffer.from([4])) as Buffer)]).toEqual([2]);
    const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const encrypted = exchange(Buffer.from(publicKey.export({ type: "spki", format: "pem" })));
    const decrypted = privateDecrypt(
      { key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha1" },
      encrypted as Buffer,
    );
    expect(xor(decrypted, scramble).toString("utf8")).toBe(`${password}\0`);
  });
});
