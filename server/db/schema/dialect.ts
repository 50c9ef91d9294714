import { sql } from "drizzle-orm";
import * as sqlite from "drizzle-orm/sqlite-core";

/**
 * What the table declarations (core.ts, calls.ts, …) build their columns,
 * keys and indexes from: one set of declarations, instantiated once per
 * dialect (server/db/README.md). The SQLite flavour is Drizzle's sqlite-core
 * as the schema always used it, so the SQLite tables keep their exact types
 * and migrations; `pgDialect` (pg.ts) supplies the same names from pg-core.
 *
 * Only neutral building blocks belong here: anything a single dialect has
 * (FTS5, plpgsql, pg_trgm) is hand-written SQL in that dialect's migrations.
 */
export const sqliteDialect = {
  table: sqlite.sqliteTable,
  /** Text, optionally restricted to an enum (checked by the type system, not the database). */
  text: sqlite.text,
  /** A 64-bit integer: counts, sizes, epoch milliseconds. */
  integer: <N extends string>(name: N) => sqlite.integer(name),
  /** An 8-byte float. */
  real: <N extends string>(name: N) => sqlite.real(name),
  boolean: <N extends string>(name: N) => sqlite.integer(name, { mode: "boolean" }),
  /** A JSON value stored as its text (the app reads and writes whole documents; nothing queries inside them). */
  json: <N extends string>(name: N) => sqlite.text(name, { mode: "json" }),
  /** An integer primary key the database numbers. */
  autoIncrementId: <N extends string>(name: N) => sqlite.integer(name).primaryKey({ autoIncrement: true }),
  /** Default of the ISO 8601 UTC text timestamps: "2026-01-31T12:00:00.000Z", what the API returns. */
  nowIso: () => sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`,
  index: sqlite.index,
  uniqueIndex: sqlite.uniqueIndex,
  primaryKey: sqlite.primaryKey,
};

export type Dialect = typeof sqliteDialect;
