/**
 * The PostgreSQL schema: the same table declarations as index.ts, built from
 * pg-core (server/db/README.md has the column type mapping). drizzle-kit
 * reads this file to generate drizzle/pg/.
 */
import { sql, type ChangeColumnTableName } from "drizzle-orm";
import type { SQLiteTableWithColumns, TableConfig as SQLiteTableConfig } from "drizzle-orm/sqlite-core";
import * as pg from "drizzle-orm/pg-core";
import type { Dialect } from "./dialect";
import { defineTables, type Tables } from "./tables";

/** JSON kept as text, exactly as SQLite keeps it: the same bytes in both databases, no key reordering (jsonb would). */
const jsonText = pg.customType<{ data: unknown; driverData: string }>({
  dataType: () => "text",
  toDriver: (value) => JSON.stringify(value),
  fromDriver: (value) => JSON.parse(value) as unknown,
});

const pgDialect = {
  table: pg.pgTable,
  text: (name: string, config?: { enum?: [string, ...string[]]; mode?: string }) => {
    // Only `enum` carries over: a SQLite json-mode text would silently be plain text here.
    if (config?.mode !== undefined && config.mode !== "text") throw new Error(`column ${name}: declare JSON columns with d.json(), not text({ mode })`);
    return pg.text(name, { enum: config?.enum });
  },
  // SQLite integers are 64-bit: epoch milliseconds do not fit PostgreSQL's 32-bit integer.
  integer: (name: string) => pg.bigint(name, { mode: "number" }),
  real: (name: string) => pg.doublePrecision(name),
  boolean: pg.boolean,
  json: (name: string) => jsonText(name),
  autoIncrementId: (name: string) => pg.bigint(name, { mode: "number" }).primaryKey().generatedByDefaultAsIdentity(),
  nowIso: () => sql`to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
  index: pg.index,
  uniqueIndex: pg.uniqueIndex,
  primaryKey: pg.primaryKey,
} satisfies Record<keyof Dialect, unknown>;

/** A table's PostgreSQL type: the same columns (names, data types, nullability, defaults), as pg columns. */
type AsPgTable<T> =
  T extends SQLiteTableWithColumns<infer C extends SQLiteTableConfig>
    ? pg.PgTableWithColumns<{
        name: C["name"];
        schema: undefined;
        dialect: "pg";
        columns: { [K in keyof C["columns"]]: ChangeColumnTableName<C["columns"][K], C["name"], "pg"> };
      }>
    : never;

export type PgTables = { [K in keyof Tables]: AsPgTable<Tables[K]> };

// The declarations are typed with the SQLite building blocks; built from pg-core they are pg tables at run time.
export const pgTables = defineTables(pgDialect as unknown as Dialect) as unknown as PgTables;

export const {
  users,
  extensions,
  forwardingRules,
  flows,
  flowRevisions,
  phoneNumbers,
  queues,
  agents,
  queueMembers,
  phonebookContacts,
  phonebookNumbers,
  technicalUsers,
  settings,
  configVersions,
  sipCredentials,
  sipTrunks,
  sipTrunkRegistrations,
  cdrs,
  cdrExtensions,
  runtimeInstances,
  openCalls,
  callTraces,
  recordings,
  agentStateHistory,
  apiIdempotencyKeys,
  apiRateBuckets,
  loginFailures,
  outboundApis,
  integrationMessages,
  deliveries,
  deliveryAttempts,
  callDataRequests,
  audioPrompts,
} = pgTables;
