// `drizzle-kit generate --config src/users/db/drizzle.mysql.config.ts` after changing mysql-schema.ts.
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "mysql",
  schema: "./src/users/db/mysql-schema.ts",
  out: "./src/users/db/mysql",
});
