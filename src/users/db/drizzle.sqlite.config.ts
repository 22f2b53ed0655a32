// `drizzle-kit generate --config src/users/db/drizzle.sqlite.config.ts` after changing sqlite-schema.ts.
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./src/users/db/sqlite-schema.ts",
  out: "./src/users/db/sqlite",
});
