// For scripts/verify/schemathesis.sh: a MariaDB and a Redis on free ports in temp dirs, the
// same servers the users tests start (src/testing). Prints MYSQL_URL=... and REDIS_URL=...,
// then "ready", and keeps them until it is stopped (SIGTERM); the tests' reaper then stops
// the servers and removes their directories.
import { LocalMySql } from "../../src/testing/mysql-servers";
import { LocalRedis } from "../../src/testing/redis";

const [mysql, redis] = await Promise.all([LocalMySql.start("mariadb"), LocalRedis.start()]);
console.log(`MYSQL_URL=${await mysql.createDatabase()}`);
console.log(`REDIS_URL=${redis.url}`);
console.log("ready");
process.on("SIGTERM", async () => {
  await Promise.all([mysql.stop(), redis.stop()]);
  process.exit(0);
});
setInterval(() => {}, 1 << 30); // until stopped
