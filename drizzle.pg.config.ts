import { defineConfig } from "drizzle-kit";

/** PostgreSQL migrations, generated from the same table declarations as SQLite's (server/db/README.md). */
export default defineConfig({
  dialect: "postgresql",
  schema: "./server/db/schema/pg.ts",
  out: "./drizzle/pg",
});
