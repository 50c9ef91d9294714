import { apiTables } from "./api";
import { audioTables } from "./audio";
import { callTables } from "./calls";
import { coreTables } from "./core";
import type { Dialect } from "./dialect";
import { integrationTables } from "./integration";

/** Every table of the product, built from one dialect's building blocks (index.ts: SQLite, pg.ts: PostgreSQL). */
export function defineTables(d: Dialect) {
  const core = coreTables(d);
  return { ...core, ...callTables(d, core), ...apiTables(d, core), ...integrationTables(d), ...audioTables(d, core) };
}

export type Tables = ReturnType<typeof defineTables>;
