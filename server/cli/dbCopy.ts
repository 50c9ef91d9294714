/**
 * `npm run cli -- db copy --to postgres://… [--replace] [--recordings-to DIR]` and `db verify --to postgres://…`:
 * moves this installation's SQLite database (DATA_DIR) into PostgreSQL and proves the copy (server/db/README.md,
 * "Copying a SQLite installation to PostgreSQL"). People read the progress, the table and what the new installation
 * must set on stderr; stdout carries the JSON report every CLI command prints.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { getConfig } from "../config";
import { openDatabase, sqliteFileOf, type Db } from "../db/client";
import { openPostgres, redactedUrl, type PgDb } from "../db/postgres";
import {
  compareChecksums,
  copySqliteToPostgres,
  postgresChecksums,
  sqliteChecksums,
  trigramIndexes,
  type CopyProgress,
  type TableComparison,
} from "../db/sqliteToPostgres";
import { recordings as recordingsTable, audioPrompts } from "../db/schema";
import { recordingPath } from "../telephony/simulated/wav";
import { audioDirOf, audioPromptFile } from "../services/audioPrompts";

export class DbCopyUsageError extends Error {}

const say = (line = "") => process.stderr.write(`${line}\n`);
const count = (n: number) => n.toLocaleString("en-US");
const rowsText = (n: number) => `${count(n)} ${n === 1 ? "row" : "rows"}`;

/** One line per table when it is done, and for a large table a line at most every 2 s while it runs. */
function progressPrinter(): (progress: CopyProgress) => void {
  let table = "";
  let started = 0;
  let lastLine = 0;
  return ({ table: name, copied, total }) => {
    const now = Date.now();
    if (name !== table) [table, started, lastLine] = [name, now, now];
    const done = copied === total;
    if (!done && now - lastLine < 2_000) return;
    lastLine = now;
    const seconds = (now - started) / 1000;
    const rate = seconds > 0.5 ? ` (${count(Math.round(copied / seconds))} rows/s)` : "";
    say(`  ${name.padEnd(26)} ${done ? rowsText(total) : `${count(copied)} / ${rowsText(total)}${rate}`}`);
  };
}

function printComparison(rows: TableComparison[]): void {
  say("Verification: row count and sha256 of the canonical rows (primary-key order) per table, read back from each side");
  say(`  ${"table".padEnd(26)} ${"SQLite rows".padStart(12)} ${"PostgreSQL".padStart(12)}  checksum`);
  for (const row of rows) {
    const verdict = row.matches ? `ok ${row.sourceSha256.slice(0, 12)}` : `MISMATCH ${row.sourceSha256.slice(0, 12)} ≠ ${row.targetSha256.slice(0, 12)}`;
    say(`  ${row.table.padEnd(26)} ${count(row.sourceRows).padStart(12)} ${count(row.targetRows).padStart(12)}  ${verdict}`);
  }
}

interface FileReport {
  /** Where the target installation finds the files: its DATA_DIR. */
  dataDir: string;
  copied: boolean;
  files: number;
  bytes: number;
  /** Rows whose file is not in the source folder (nothing to copy). */
  missing: string[];
  /** Source files whose bytes differ from the sha256 the database recorded for them (damaged before the copy). */
  damagedAtSource: string[];
  /** Copied files whose bytes differ from the source's: the copy failed. */
  copyMismatches: string[];
}

function sha256Of(file: string): string {
  const hash = createHash("sha256");
  const fd = fs.openSync(file, "r");
  try {
    const buffer = Buffer.alloc(1 << 20);
    for (let read; (read = fs.readSync(fd, buffer, 0, buffer.length, null)) > 0; ) hash.update(buffer.subarray(0, read));
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest("hex");
}

/**
 * Call recordings (`recordings`, DATA_DIR/recordings) and uploaded prompts (`audio_prompts`, DATA_DIR/audio) are
 * files; the database has each one's sha256. Without a destination they stay where they are and are checked in place.
 */
async function handleFiles(source: Db, fromDataDir: string, toDataDir: string | undefined): Promise<FileReport> {
  const files: { name: string; from: string; to: string | null; sha256: string }[] = [];
  const recordingsTo = toDataDir && path.join(toDataDir, "recordings");
  for (const row of await source.select({ code: recordingsTable.code, sha256: recordingsTable.sha256 }).from(recordingsTable)) {
    const from = recordingPath(path.join(fromDataDir, "recordings"), row.code);
    files.push({ name: `recordings/${path.basename(from)}`, from, to: recordingsTo ? recordingPath(recordingsTo, row.code) : null, sha256: row.sha256 });
  }
  for (const row of await source.select({ id: audioPrompts.id, sha256: audioPrompts.sha256 }).from(audioPrompts)) {
    const from = (await audioPromptFile(source, audioDirOf(fromDataDir), row.id))!.path;
    const to = toDataDir ? (await audioPromptFile(source, audioDirOf(toDataDir), row.id))!.path : null;
    files.push({ name: `audio/${path.basename(from)}`, from, to, sha256: row.sha256 });
  }
  const report: FileReport = { dataDir: toDataDir ?? fromDataDir, copied: toDataDir !== undefined, files: 0, bytes: 0, missing: [], damagedAtSource: [], copyMismatches: [] };
  let lastLine = Date.now();
  for (const [i, file] of files.entries()) {
    if (!fs.existsSync(file.from)) {
      report.missing.push(file.name);
      continue;
    }
    const sourceHash = sha256Of(file.from);
    if (sourceHash !== file.sha256) report.damagedAtSource.push(file.name);
    if (file.to) {
      fs.mkdirSync(path.dirname(file.to), { recursive: true });
      await fs.promises.copyFile(file.from, file.to);
      if (sha256Of(file.to) !== sourceHash) report.copyMismatches.push(file.name);
    }
    report.files++;
    report.bytes += fs.statSync(file.from).size;
    if (Date.now() - lastLine > 2_000) {
      lastLine = Date.now();
      say(`  files ${count(i + 1)} / ${count(files.length)}`);
    }
  }
  return report;
}

function printFiles(report: FileReport, sourceDataDir: string): void {
  const where = report.copied ? `copied to ${report.dataDir}` : `stay in ${sourceDataDir}`;
  say(`Recordings and audio prompts: ${count(report.files)} files (${count(Math.round(report.bytes / 1024))} KiB) ${where}, sha256 checked against the database`);
  if (report.copyMismatches.length) say(`  COPY MISMATCH (the copied bytes differ from the source): ${report.copyMismatches.join(", ")}`);
  if (report.missing.length) say(`  not in the source folder (their rows were copied; the files cannot be): ${report.missing.join(", ")}`);
  if (report.damagedAtSource.length) say(`  already differ from their recorded sha256 in the source (copied as they are): ${report.damagedAtSource.join(", ")}`);
}

/** What every process of the PostgreSQL installation must be started with to see this installation's data as it was. */
function printTargetSettings(url: string, fileDataDir: string, sourceDataDir: string): string[] {
  const secretFromEnv = process.env.SWITCHBOARD_SECRET !== undefined || process.env.NEXTAUTH_SECRET !== undefined;
  const secretFile = path.join(sourceDataDir, "app-secret");
  const settings = [
    `DATABASE_URL=${redactedUrl(url)}`,
    `DATA_DIR=${fileDataDir} — recordings are read from DATA_DIR/recordings and prompts from DATA_DIR/audio (there is no separate setting); ` +
      "processes with the runtime or web/api role need it, on one machine or a shared file system",
    secretFromEnv
      ? "SWITCHBOARD_SECRET: the same value this installation runs with — CRM credentials, webhook signing secrets and SIP passwords were copied encrypted with it, and sessions and recording links are signed with it"
      : `SWITCHBOARD_SECRET=<the contents of ${secretFile}> — CRM credentials, webhook signing secrets and SIP passwords were copied encrypted with this installation's secret, and sessions and recording links are signed with it; a different secret cannot open them`,
  ];
  say("The PostgreSQL installation must set, in every process:");
  for (const setting of settings) say(`  ${setting}`);
  return settings;
}

function openSource(dataDir: string): Db {
  const file = sqliteFileOf(dataDir);
  if (!fs.existsSync(file)) throw new DbCopyUsageError(`There is no SQLite database at ${file}: set DATA_DIR to the installation's data folder.`);
  // Brings an older file to this version's schema, as starting this version would.
  return openDatabase(file);
}

function targetUrl(to: string | undefined): string {
  if (!to || !/^postgres(ql)?:\/\//.test(to)) throw new DbCopyUsageError("db copy and db verify need --to postgres://user:password@host:port/database");
  return to;
}

/** Compares both sides table by table from one snapshot each (the caller holds the source's read transaction). */
async function verify(source: Db, target: PgDb): Promise<TableComparison[]> {
  say("Verifying: reading every table back from SQLite, then from PostgreSQL…");
  const comparison = compareChecksums(sqliteChecksums(source), await postgresChecksums(target));
  printComparison(comparison);
  return comparison;
}

/** The source is read in one SQLite read transaction: the copy and its verification see the same snapshot even if something still writes. */
async function withSnapshot<T>(source: Db, work: () => Promise<T>): Promise<T> {
  source.$client.exec("begin");
  try {
    return await work();
  } finally {
    source.$client.exec("commit");
  }
}

export async function dbCopy(options: { to?: string; replace?: boolean; recordingsTo?: string }): Promise<unknown> {
  const url = targetUrl(options.to);
  const { dataDir } = getConfig();
  const recordingsTo = options.recordingsTo && path.resolve(options.recordingsTo);
  if (recordingsTo === dataDir) throw new DbCopyUsageError("--recordings-to is this installation's own DATA_DIR: leave it out to keep the files where they are");
  const source = openSource(dataDir);
  say(`Copying ${sqliteFileOf(dataDir)} → ${redactedUrl(url)} (migrations applied to the target first)`);
  const target = await openPostgres(url, { maxConnections: 2 });
  try {
    return await withSnapshot(source, async () => {
      const copied = await copySqliteToPostgres(source, target.db, { replace: options.replace, onProgress: progressPrinter() });
      say(`Copied ${count(copied.reduce((sum, table) => sum + table.rows, 0))} rows in ${copied.length} tables in one transaction; identity sequences set past the copied ids.`);
      const indexes = await trigramIndexes(target.db);
      say(`Phonebook search: ${indexes.length} pg_trgm indexes (${indexes.join(", ")}), maintained by PostgreSQL as the rows arrived — nothing to rebuild.`);
      say("config_versions: the target keeps its own change counters (its triggers bumped them during the copy).");
      const tables = await verify(source, target.db);
      const files = await handleFiles(source, dataDir, recordingsTo);
      printFiles(files, dataDir);
      const settings = printTargetSettings(url, files.dataDir, dataDir);
      const ok = tables.every((table) => table.matches) && files.copyMismatches.length === 0;
      say(ok ? "Copy verified." : "The copy does NOT match the source (see above).");
      if (!ok) process.exitCode = 1;
      return { ok, target: redactedUrl(url), tables, trigramIndexes: indexes, files, settings };
    });
  } finally {
    source.$client.close();
    await target.close();
  }
}

export async function dbVerify(options: { to?: string }): Promise<unknown> {
  const url = targetUrl(options.to);
  const { dataDir } = getConfig();
  const source = openSource(dataDir);
  const target = await openPostgres(url, { maxConnections: 2 });
  try {
    const tables = await withSnapshot(source, () => verify(source, target.db));
    const ok = tables.every((table) => table.matches);
    if (!ok) process.exitCode = 1;
    return { ok, target: redactedUrl(url), tables };
  } finally {
    source.$client.close();
    await target.close();
  }
}
