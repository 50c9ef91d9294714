import path from "node:path";
import Database from "better-sqlite3";
import { drizzle, type BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import * as schema from "./schema";
import { StartupError, ensureDataDir, getConfig } from "../config";
import { openPostgres, type PgDb } from "./postgres";

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

const migrationsFolder = path.join(process.cwd(), "drizzle");

/**
 * Opens a SQLite database with the pragmas the product relies on and applies
 * pending migrations. WAL lets the portal read while the runtime writes;
 * busy_timeout absorbs short write contention instead of failing requests.
 */
export function openDatabase(file: string): Db {
  let sqlite: Database.Database;
  try {
    sqlite = new Database(file);
    sqlite.pragma("journal_mode = WAL");
    sqlite.pragma("foreign_keys = ON");
    sqlite.pragma("busy_timeout = 5000");
    sqlite.pragma("synchronous = NORMAL");
    const check = sqlite.pragma("quick_check", { simple: true });
    if (check !== "ok") throw new Error(`integrity check failed: ${String(check)}`);
  } catch (error) {
    throw new StartupError(
      `The database ${file} cannot be opened (${(error as Error).message}). ` +
        "It may be corrupt or not a SQLite file: restore it from a backup or move it away to start with an empty one.",
    );
  }
  const db = drizzle(sqlite, { schema }) as Db;
  migrate(db, { migrationsFolder });
  return db;
}

/** The dialect check for the one place a raw statement differs per backend (server/db/README.md, "Booting on PostgreSQL"). */
export function isPostgres(db: Db | PgDb): db is PgDb {
  // A Drizzle transaction object on PostgreSQL carries no $client; SQLite's transaction helper hands over the db itself.
  return typeof (db.$client as { prepare?: unknown } | undefined)?.prepare !== "function";
}

// Cached on globalThis so Next's dev reloads and separately bundled route handlers share one connection.
const globalForDb = globalThis as unknown as { switchboardDb?: Db | PgDb; switchboardPostgresClose?: () => Promise<void> };

/**
 * Start-up (server/boot.ts): opens the database `DATABASE_URL` chose. PostgreSQL
 * can only be opened asynchronously, so it must be opened here before any
 * `getDb()`; SQLite is opened on first use as before.
 */
export async function openConfiguredDatabase(): Promise<Db | PgDb> {
  const url = getConfig().DATABASE_URL;
  if (url && !globalForDb.switchboardDb) {
    const connection = await openPostgres(url);
    globalForDb.switchboardDb = connection.db;
    globalForDb.switchboardPostgresClose = connection.close;
  }
  return globalForDb.switchboardDb ?? getDb();
}

/** The SQLite database of an installation whose data folder is `dataDir`. */
export function sqliteFileOf(dataDir: string): string {
  return path.join(dataDir, "switchboard.db");
}

/**
 * The process's database. On PostgreSQL this is the pg Drizzle database typed
 * as `Db`: services are typed against SQLite's Drizzle but run dialect-neutral
 * awaitable queries, which both drivers execute alike. This is the one place
 * that cast is made; code with a raw statement asks `isPostgres(db)` first.
 */
export function getDb(): Db {
  if (!globalForDb.switchboardDb) {
    if (getConfig().DATABASE_URL) throw new Error("DATABASE_URL is PostgreSQL: openConfiguredDatabase() must run at start-up before getDb()");
    const config = getConfig();
    ensureDataDir(config);
    globalForDb.switchboardDb = openDatabase(sqliteFileOf(config.dataDir));
  }
  return globalForDb.switchboardDb as Db;
}

/** Tests: a fresh database in a temp folder, installed as the process-wide one. */
export function installTestDatabase(db: Db): void {
  globalForDb.switchboardDb = db;
}

export function closeDatabase(): void {
  const db = globalForDb.switchboardDb;
  if (db && isPostgres(db)) void globalForDb.switchboardPostgresClose?.();
  else db?.$client.close();
  globalForDb.switchboardDb = undefined;
  globalForDb.switchboardPostgresClose = undefined;
}
