/**
 * Moving a SQLite installation into PostgreSQL (`npm run cli -- db copy`,
 * server/db/README.md, "Copying a SQLite installation to PostgreSQL"): every
 * table in reference order, batched, in one PostgreSQL transaction, identity
 * sequences set past the copied ids, then a row count and a checksum per table
 * computed the same way on both sides.
 */
import { createHash } from "node:crypto";
import type pg from "pg";
import { getTableConfig, type PgTable } from "drizzle-orm/pg-core";
import type { Db } from "./client";
import type { PgDb } from "./postgres";
import { pgTables } from "./schema/pg";

/** How a column's values are compared across dialects. */
type ValueKind = "boolean" | "integer" | "real" | "text";

export interface CopiedTable {
  /** The SQL table name. */
  name: string;
  columns: { name: string; kind: ValueKind }[];
  /** Primary-key columns: the order rows are copied and checksummed in. */
  primaryKey: string[];
}

/**
 * `config_versions` holds each database's own change counters: PostgreSQL's
 * triggers bump them while the copy inserts (and notify running processes), so
 * copying SQLite's counters over them would only move them backwards.
 */
const OWN_COUNTERS = "config_versions";

function kindOf(columnType: string, sqlType: string): ValueKind {
  if (columnType === "PgBoolean") return "boolean";
  if (columnType === "PgBigInt53") return "integer";
  if (columnType === "PgDoublePrecision") return "real";
  if (sqlType === "text") return "text"; // PgText and the JSON-as-text custom type
  throw new Error(`db copy does not know how to compare a ${columnType} (${sqlType}) column`);
}

/** Every table the copy moves, parents before the tables that reference them (declaration order among equals). */
export function copiedTables(): CopiedTable[] {
  const configs = Object.values(pgTables).map((table) => getTableConfig(table as PgTable));
  const byName = new Map(configs.map((config) => [config.name, config]));
  const ordered: CopiedTable[] = [];
  const visiting = new Set<string>();
  const visit = (name: string) => {
    if (ordered.some((table) => table.name === name)) return;
    if (visiting.has(name)) throw new Error(`tables reference each other in a cycle through ${name}: db copy needs an order`);
    visiting.add(name);
    const config = byName.get(name)!;
    for (const key of config.foreignKeys) {
      const parent = getTableConfig(key.reference().foreignTable).name;
      if (parent !== name) visit(parent);
    }
    visiting.delete(name);
    const compositeKey = config.primaryKeys[0]?.columns.map((column) => column.name);
    ordered.push({
      name,
      columns: config.columns.map((column) => ({ name: column.name, kind: kindOf(column.columnType, column.getSQLType()) })),
      primaryKey: compositeKey ?? config.columns.filter((column) => column.primary).map((column) => column.name),
    });
  };
  for (const config of configs) if (config.name !== OWN_COUNTERS) visit(config.name);
  return ordered;
}

const quote = (identifier: string) => `"${identifier.replaceAll('"', '""')}"`;

/**
 * Tables of the SQLite file the copy would not move: anything but the known
 * tables, Drizzle's migration journal and the FTS5 phonebook index (a virtual
 * table and its shadow tables, which PostgreSQL replaces with pg_trgm indexes).
 * A file from a newer Switchboard would have some; the copy refuses it.
 */
export function unknownSqliteTables(source: Db): string[] {
  const rows = source.$client.prepare("select name, sql from sqlite_master where type = 'table'").all() as { name: string; sql: string | null }[];
  const known = new Set([...copiedTables().map((table) => table.name), OWN_COUNTERS, "__drizzle_migrations"]);
  const virtual = rows.filter((row) => /^create virtual table/i.test(row.sql ?? "")).map((row) => row.name);
  return rows
    .map((row) => row.name)
    .filter((name) => !name.startsWith("sqlite_") && !known.has(name) && !virtual.some((table) => name === table || name.startsWith(`${table}_`)));
}

/** Tables of the target that hold rows (with their counts): a copy into them would mix two installations. */
export async function targetTablesWithData(target: PgDb): Promise<{ table: string; rows: number }[]> {
  const found: { table: string; rows: number }[] = [];
  for (const table of copiedTables()) {
    const { rows } = await target.$client.query<{ n: string }>(`select count(*)::text as n from ${quote(table.name)}`);
    const count = Number(rows[0]!.n);
    if (count > 0) found.push({ table: table.name, rows: count });
  }
  return found;
}

export interface CopyProgress {
  table: string;
  copied: number;
  total: number;
}

export interface CopyOptions {
  /** Empty the target's tables first (in the same transaction) instead of refusing a target with data. */
  replace?: boolean;
  /** Rows per INSERT (fewer for wide tables: PostgreSQL takes at most 65,535 parameters per statement). */
  batchRows?: number;
  /** Called after each batch and once per table at its end. */
  onProgress?: (progress: CopyProgress) => void;
}

/** The copy will not start: the message says why and what to do. */
export class CopyRefusedError extends Error {}

export class TargetNotEmptyError extends CopyRefusedError {
  constructor(readonly found: { table: string; rows: number }[]) {
    super(
      `The target database already holds data (${found.map((entry) => `${entry.table}: ${entry.rows} rows`).join(", ")}). ` +
        "Copy into an empty database, or pass --replace to delete the target's rows first.",
    );
  }
}

/** A SQLite value as PostgreSQL takes it as a parameter. Integers were read as BigInt (exact past 2^53) and travel as decimal text. */
function toPostgres(kind: ValueKind, value: unknown): unknown {
  if (value === null) return null;
  if (kind === "boolean") return Number(value) !== 0;
  if (kind === "integer" || typeof value === "bigint") return String(value);
  return value;
}

/**
 * Copies every row of `source` into `target` in one transaction: nothing of a failed copy is left behind.
 * Returns the rows copied per table. The target must have this version's migrations applied (`openPostgres` does).
 */
export async function copySqliteToPostgres(source: Db, target: PgDb, options: CopyOptions = {}): Promise<{ table: string; rows: number }[]> {
  const unknown = unknownSqliteTables(source);
  if (unknown.length) throw new CopyRefusedError(`The SQLite database has tables this version does not know: ${unknown.join(", ")}. Copy it with the Switchboard version that wrote it.`);
  const tables = copiedTables();
  const client = await target.$client.connect();
  const copied: { table: string; rows: number }[] = [];
  try {
    await client.query("begin");
    const found = await targetTablesWithData(target);
    if (found.length && !options.replace) throw new TargetNotEmptyError(found);
    if (found.length) await client.query(`truncate ${tables.map((table) => quote(table.name)).join(", ")}`);
    for (const table of tables) {
      copied.push({ table: table.name, rows: await copyTable(source, client, table, options) });
    }
    await setIdentitySequences(client);
    await client.query("commit");
  } catch (error) {
    await client.query("rollback").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
  return copied;
}

async function copyTable(source: Db, client: pg.PoolClient, table: CopiedTable, options: CopyOptions): Promise<number> {
  const columnList = table.columns.map((column) => quote(column.name)).join(", ");
  const total = (source.$client.prepare(`select count(*) as n from ${quote(table.name)}`).get() as { n: number }).n;
  const batchRows = Math.max(1, Math.min(options.batchRows ?? 1000, Math.floor(60_000 / table.columns.length)));
  const reader = source.$client.prepare(`select ${columnList} from ${quote(table.name)} order by ${table.primaryKey.map(quote).join(", ")}`).raw(true).safeIntegers(true);
  let batch: unknown[][] = [];
  let copied = 0;
  const flush = async () => {
    if (!batch.length) return;
    const params: unknown[] = [];
    const tuples = batch.map((row) => `(${row.map((value, i) => (params.push(toPostgres(table.columns[i]!.kind, value)), `$${params.length}`)).join(", ")})`);
    await client.query(`insert into ${quote(table.name)} (${columnList}) values ${tuples.join(", ")}`, params);
    copied += batch.length;
    batch = [];
    options.onProgress?.({ table: table.name, copied, total });
  };
  // The iterator keeps the source connection busy until it is done; nothing else uses that connection meanwhile.
  for (const row of reader.iterate() as IterableIterator<unknown[]>) {
    batch.push(row);
    if (batch.length >= batchRows) await flush();
  }
  await flush();
  if (copied === 0) options.onProgress?.({ table: table.name, copied, total });
  return copied;
}

/** Identity columns number new rows from their sequence; after copying ids in, the sequence must start past the largest. */
async function setIdentitySequences(client: pg.PoolClient): Promise<void> {
  const { rows } = await client.query<{ table_name: string; column_name: string }>(
    "select table_name, column_name from information_schema.columns where table_schema = current_schema() and is_identity = 'YES'",
  );
  for (const { table_name: table, column_name: column } of rows) {
    await client.query(
      `select setval(pg_get_serial_sequence($1, $2), coalesce((select max(${quote(column)}) from ${quote(table)}), 0) + 1, false)`,
      [quote(table), column],
    );
  }
}

/**
 * One value in the form both dialects agree on: booleans `t`/`f` (SQLite keeps 0/1), integers as decimal
 * (SQLite's read as BigInt, PostgreSQL's bigint as text), reals as the shortest JavaScript form of the double,
 * text (JSON included: both keep it as text) as is, NULL as JSON null.
 */
function canonical(kind: ValueKind, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case "boolean":
      return value === true || value === "t" || value === "true" || (typeof value !== "string" && Number(value) === 1) ? "t" : "f";
    case "integer":
      return BigInt(value as string | number | bigint).toString();
    case "real":
      return String(Number(value));
    case "text":
      if (typeof value !== "string") throw new Error(`a text column holds a ${typeof value}`);
      return value;
  }
}

export interface TableChecksum {
  table: string;
  rows: number;
  /** sha256 over the canonical rows (a JSON array per row, one per line) in primary-key order. */
  sha256: string;
}

class RowHasher {
  private readonly hash = createHash("sha256");
  rows = 0;
  constructor(private readonly table: CopiedTable) {}
  add(row: unknown[]): void {
    this.hash.update(JSON.stringify(row.map((value, i) => canonical(this.table.columns[i]!.kind, value))));
    this.hash.update("\n");
    this.rows++;
  }
  result(): TableChecksum {
    return { table: this.table.name, rows: this.rows, sha256: this.hash.digest("hex") };
  }
}

/** The checksum of every copied table in SQLite. */
export function sqliteChecksums(source: Db): TableChecksum[] {
  return copiedTables().map((table) => {
    const hasher = new RowHasher(table);
    const columns = table.columns.map((column) => quote(column.name)).join(", ");
    const reader = source.$client.prepare(`select ${columns} from ${quote(table.name)} order by ${table.primaryKey.map(quote).join(", ")}`).raw(true).safeIntegers(true);
    for (const row of reader.iterate() as IterableIterator<unknown[]>) hasher.add(row);
    return hasher.result();
  });
}

/**
 * The checksum of every copied table in PostgreSQL, from one snapshot. Every value is read as PostgreSQL's text form;
 * text keys sort by bytes (`collate "C"`), as SQLite's BINARY collation sorts them.
 */
export async function postgresChecksums(target: PgDb, onTable?: (table: string) => void): Promise<TableChecksum[]> {
  const client = await target.$client.connect();
  const results: TableChecksum[] = [];
  try {
    await client.query("begin isolation level repeatable read read only");
    for (const table of copiedTables()) {
      onTable?.(table.name);
      const hasher = new RowHasher(table);
      const columns = table.columns.map((column) => `${quote(column.name)}::text`).join(", ");
      const order = table.primaryKey
        .map((name) => (table.columns.find((column) => column.name === name)!.kind === "text" ? `${quote(name)} collate "C"` : quote(name)))
        .join(", ");
      await client.query(`declare checksum_rows no scroll cursor for select ${columns} from ${quote(table.name)} order by ${order}`);
      for (;;) {
        const { rows } = await client.query<unknown[]>({ text: "fetch 5000 from checksum_rows", rowMode: "array" });
        for (const row of rows) hasher.add(row);
        if (rows.length < 5000) break;
      }
      await client.query("close checksum_rows");
      results.push(hasher.result());
    }
    await client.query("commit");
  } finally {
    client.release();
  }
  return results;
}

export interface TableComparison {
  table: string;
  sourceRows: number;
  targetRows: number;
  sourceSha256: string;
  targetSha256: string;
  matches: boolean;
}

export function compareChecksums(source: TableChecksum[], target: TableChecksum[]): TableComparison[] {
  return source.map((from) => {
    const to = target.find((entry) => entry.table === from.table);
    return {
      table: from.table,
      sourceRows: from.rows,
      targetRows: to?.rows ?? 0,
      sourceSha256: from.sha256,
      targetSha256: to?.sha256 ?? "",
      matches: to !== undefined && to.rows === from.rows && to.sha256 === from.sha256,
    };
  });
}

/**
 * The phonebook search on PostgreSQL runs on pg_trgm GIN indexes (drizzle/pg/0001) that PostgreSQL maintains as rows
 * arrive, so the copy rebuilds nothing; this confirms the extension and valid indexes are there.
 */
export async function trigramIndexes(target: PgDb): Promise<string[]> {
  const { rows } = await target.$client.query<{ name: string }>(
    `select c.relname as name from pg_index i join pg_class c on c.oid = i.indexrelid
     where i.indisvalid and pg_get_indexdef(i.indexrelid) like '%gin_trgm_ops%' order by 1`,
  );
  return rows.map((row) => row.name);
}
