import { beforeAll, describe, expect, it } from "vitest";
import type pg from "pg";
import { getTableConfig, SQLiteTable } from "drizzle-orm/sqlite-core";
import { createTestDb } from "@/tests/helpers/db";
import { createTestPostgres, testDatabaseUrl } from "@/tests/helpers/postgres";
import * as sqliteSchema from "./schema";
import type { Db } from "./client";

/**
 * Both migration sets describe the same schema: read back from the live
 * databases after migrating (not from the declarations), so a hand edit or a
 * migration written for one dialect only fails here.
 */

interface Column {
  name: string;
  family: "text" | "integer" | "boolean" | "real";
  notNull: boolean;
  /** Normalised default expression, or null. */
  default: string | null;
  autoIncrement: boolean;
}
interface Index {
  name: string;
  unique: boolean;
  columns: string[];
}
interface ForeignKey {
  columns: string[];
  refTable: string;
  refColumns: string[];
  onDelete: string;
  onUpdate: string;
}
interface TableShape {
  columns: Column[];
  primaryKey: string[];
  indexes: Index[];
  foreignKeys: ForeignKey[];
}
type Schema = Record<string, TableShape>;

/** Each dialect's own machinery, not part of the shared schema: FTS5 tables (SQLite 0006) and their pg_trgm counterparts. */
const sqliteOnlyTables = /^(sqlite_|__drizzle_migrations$|phonebook_(contacts|numbers)_fts)/;
const pgOnlyIndexes = new Set(["phonebook_contacts_search_trgm_idx", "phonebook_numbers_number_trgm_idx"]);

const NOW_ISO = "<now as ISO 8601 UTC text>";

/** Defaults as comparable text: no casts, quotes or outer parentheses; the two dialects' "now as ISO text" as one token. */
function normaliseDefault(value: string | null): string | null {
  if (value === null) return null;
  if (/strftime\('%Y-%m-%dT%H:%M:%fZ',\s*'now'\)/.test(value) || /to_char\(\(?now\(\)/i.test(value)) return NOW_ISO;
  let text = value.replace(/::[a-z ]+/g, "").trim();
  while (text.startsWith("(") && text.endsWith(")")) text = text.slice(1, -1).trim();
  return text;
}

/** An index key as comparable text: `lower("email")`, `lower(email)` and `` `email` `` lose their quoting and spaces. */
const normaliseKey = (key: string) => key.replace(/[`"\s]/g, "");

/** Splits an index's key list at top-level commas (expressions may contain commas of their own). */
function splitKeys(list: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  let current = "";
  for (const char of list) {
    if (char === "," && depth === 0) {
      keys.push(current);
      current = "";
      continue;
    }
    if (char === "(") depth++;
    if (char === ")") depth--;
    current += char;
  }
  return [...keys, current].map(normaliseKey);
}

const byName = <T extends { name: string }>(items: T[]) => [...items].sort((a, b) => a.name.localeCompare(b.name));
const byColumns = (items: ForeignKey[]) => [...items].sort((a, b) => a.columns.join().localeCompare(b.columns.join()));

function readSqlite(db: Db): Schema {
  const sqlite = db.$client;
  // Which integer columns are booleans is declared, not stored: SQLite has no boolean type.
  const booleans = new Set<string>();
  for (const table of Object.values(sqliteSchema)) {
    if (!(table instanceof SQLiteTable)) continue;
    const config = getTableConfig(table);
    for (const column of config.columns) if (column.columnType === "SQLiteBoolean") booleans.add(`${config.name}.${column.name}`);
  }
  const tables = sqlite.prepare("select name, sql from sqlite_master where type = 'table' order by name").all() as { name: string; sql: string }[];
  const schema: Schema = {};
  for (const { name: table, sql: createSql } of tables.filter((t) => !sqliteOnlyTables.test(t.name))) {
    const info = sqlite.pragma(`table_info("${table}")`) as { name: string; type: string; notnull: number; dflt_value: string | null; pk: number }[];
    const pkColumns = info.filter((c) => c.pk > 0);
    const columns = info.map((c) => ({
      name: c.name,
      family: booleans.has(`${table}.${c.name}`) ? "boolean" : (c.type.toLowerCase() as Column["family"]),
      notNull: c.notnull === 1 || c.pk > 0,
      default: normaliseDefault(c.dflt_value),
      autoIncrement: pkColumns.length === 1 && c.pk === 1 && /autoincrement/i.test(createSql),
    }));
    const indexList = sqlite.pragma(`index_list("${table}")`) as { name: string; unique: number; origin: string }[];
    const indexes = indexList
      .filter((i) => i.origin === "c")
      .map((i) => {
        const { sql: indexSql } = sqlite.prepare("select sql from sqlite_master where type = 'index' and name = ?").get(i.name) as { sql: string };
        const keyList = /\((.*)\)\s*$/s.exec(indexSql)?.[1] ?? "";
        return { name: i.name, unique: i.unique === 1, columns: splitKeys(keyList) };
      });
    const fkRows = sqlite.pragma(`foreign_key_list("${table}")`) as { id: number; table: string; from: string; to: string; on_update: string; on_delete: string }[];
    const foreignKeys = [...new Set(fkRows.map((r) => r.id))].map((id) => {
      const rows = fkRows.filter((r) => r.id === id);
      return {
        columns: rows.map((r) => r.from),
        refTable: rows[0].table,
        refColumns: rows.map((r) => r.to),
        onDelete: rows[0].on_delete.toLowerCase(),
        onUpdate: rows[0].on_update.toLowerCase(),
      };
    });
    schema[table] = {
      columns: byName(columns),
      primaryKey: [...pkColumns].sort((a, b) => a.pk - b.pk).map((c) => c.name),
      indexes: byName(indexes),
      foreignKeys: byColumns(foreignKeys),
    };
  }
  return schema;
}

const pgFamilies: Record<string, Column["family"]> = { text: "text", bigint: "integer", integer: "integer", boolean: "boolean", "double precision": "real", real: "real" };
const pgActions: Record<string, string> = { a: "no action", r: "restrict", c: "cascade", n: "set null", d: "set default" };

async function readPostgres(client: pg.Pool): Promise<Schema> {
  const { rows: columnRows } = await client.query<{ table_name: string; column_name: string; data_type: string; is_nullable: string; column_default: string | null; is_identity: string }>(
    `select c.table_name, c.column_name, c.data_type, c.is_nullable, c.column_default, c.is_identity
       from information_schema.columns c join information_schema.tables t using (table_schema, table_name)
      where c.table_schema = 'public' and t.table_type = 'BASE TABLE'`,
  );
  const { rows: indexRows } = await client.query<{ table_name: string; name: string; unique: boolean; primary: boolean; columns: string[] }>(
    `select t.relname as table_name, i.relname as name, x.indisunique as unique, x.indisprimary as primary,
            array(select pg_get_indexdef(x.indexrelid, k, true) from generate_series(1, x.indnkeyatts) as k order by k) as columns
       from pg_index x join pg_class i on i.oid = x.indexrelid join pg_class t on t.oid = x.indrelid
       join pg_namespace n on n.oid = t.relnamespace
      where n.nspname = 'public'`,
  );
  const { rows: fkRows } = await client.query<{ table_name: string; columns: string[]; ref_table: string; ref_columns: string[]; on_delete: string; on_update: string }>(
    `select t.relname as table_name, r.relname as ref_table, c.confdeltype as on_delete, c.confupdtype as on_update,
            array(select a.attname::text from unnest(c.conkey) with ordinality k(attnum, ord)
                    join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.attnum order by k.ord) as columns,
            array(select a.attname::text from unnest(c.confkey) with ordinality k(attnum, ord)
                    join pg_attribute a on a.attrelid = c.confrelid and a.attnum = k.attnum order by k.ord) as ref_columns
       from pg_constraint c join pg_class t on t.oid = c.conrelid join pg_class r on r.oid = c.confrelid
       join pg_namespace n on n.oid = t.relnamespace
      where c.contype = 'f' and n.nspname = 'public'`,
  );
  const schema: Schema = {};
  for (const table of [...new Set(columnRows.map((r) => r.table_name))]) {
    const indexes = indexRows.filter((i) => i.table_name === table);
    schema[table] = {
      columns: byName(
        columnRows
          .filter((c) => c.table_name === table)
          .map((c) => ({
            name: c.column_name,
            family: pgFamilies[c.data_type] ?? (c.data_type as Column["family"]),
            notNull: c.is_nullable === "NO",
            default: normaliseDefault(c.column_default),
            autoIncrement: c.is_identity === "YES",
          })),
      ),
      primaryKey: (indexes.find((i) => i.primary)?.columns ?? []).map(normaliseKey),
      indexes: byName(
        indexes.filter((i) => !i.primary && !pgOnlyIndexes.has(i.name)).map((i) => ({ name: i.name, unique: i.unique, columns: i.columns.map(normaliseKey) })),
      ),
      foreignKeys: byColumns(
        fkRows
          .filter((f) => f.table_name === table)
          .map((f) => ({ columns: f.columns, refTable: f.ref_table, refColumns: f.ref_columns, onDelete: pgActions[f.on_delete], onUpdate: pgActions[f.on_update] })),
      ),
    };
  }
  return schema;
}

describe.skipIf(!testDatabaseUrl)("SQLite and PostgreSQL migrations describe the same schema", () => {
  let sqlite: Schema;
  let postgres: Schema;
  let pgIndexNames: string[];
  let sqliteTableNames: string[];

  beforeAll(async () => {
    const sqliteDb = await createTestDb("sqlite");
    try {
      sqlite = readSqlite(sqliteDb.db);
      sqliteTableNames = (sqliteDb.db.$client.prepare("select name from sqlite_master where type = 'table'").pluck().all() as string[]).sort();
    } finally {
      await sqliteDb.cleanup();
    }
    const pgDb = await createTestPostgres(testDatabaseUrl!);
    try {
      postgres = await readPostgres(pgDb.db.$client);
      pgIndexNames = (await pgDb.db.$client.query<{ indexname: string }>("select indexname from pg_indexes where schemaname = 'public'")).rows.map((r) => r.indexname);
    } finally {
      await pgDb.drop();
    }
  });

  it("has the same tables", () => {
    expect(Object.keys(postgres).sort()).toEqual(Object.keys(sqlite).sort());
    expect(Object.keys(sqlite).length).toBeGreaterThanOrEqual(28);
  });

  it("has, table by table, the same columns, keys, indexes and foreign keys", () => {
    for (const table of Object.keys(sqlite)) {
      expect.soft({ table, ...postgres[table] }).toEqual({ table, ...sqlite[table] });
    }
  });

  it("keeps each dialect's search machinery: FTS5 tables in SQLite, pg_trgm indexes in PostgreSQL", () => {
    expect(sqliteTableNames).toEqual(expect.arrayContaining(["phonebook_contacts_fts", "phonebook_numbers_fts"]));
    expect(pgIndexNames).toEqual(expect.arrayContaining([...pgOnlyIndexes]));
  });
});
