import { defineConfig } from "drizzle-kit";

/** SQLite migrations (the default backend). PostgreSQL's: drizzle.pg.config.ts. */
export default defineConfig({
  dialect: "sqlite",
  schema: "./server/db/schema/index.ts",
  out: "./drizzle",
});
