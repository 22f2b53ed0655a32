// The users table for MySQL and MariaDB. drizzle-kit generates ./mysql/ from this file.
import { customType, datetime, mysqlTable } from "drizzle-orm/mysql-core";

/**
 * A utf8mb4 string compared byte for byte, whatever the server's defaults (MariaDB's are
 * latin1 and accent-insensitive): ids and emails then mean the same here as in SQLite.
 */
const exactString = customType<{ data: string; config: { length: number } }>({
  dataType: (config) =>
    `varchar(${config?.length ?? 255}) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`,
});

export const users = mysqlTable("users", {
  id: exactString("id", { length: 64 }).primaryKey(),
  name: exactString("name", { length: 200 }).notNull(),
  email: exactString("email", { length: 254 }).notNull().unique(),
  createdAt: datetime("created_at", { mode: "date", fsp: 3 }).notNull(),
  updatedAt: datetime("updated_at", { mode: "date", fsp: 3 }).notNull(),
});
