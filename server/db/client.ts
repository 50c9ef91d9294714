import path from "node:path";
import Database from "better-sqlite3";
import { drizzle, type BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import * as schema from "./schema";
import { StartupError, ensureDataDir, getConfig } from "../config";

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

// Cached on globalThis so Next's dev reloads and separately bundled route handlers share one connection.
const globalForDb = globalThis as unknown as { switchboardDb?: Db };

export function getDb(): Db {
  if (!globalForDb.switchboardDb) {
    const config = getConfig();
    ensureDataDir(config);
    const file = path.join(config.dataDir, "switchboard.db");
    globalForDb.switchboardDb = openDatabase(file);
  }
  return globalForDb.switchboardDb;
}

/** Tests: a fresh database in a temp folder, installed as the process-wide one. */
export function installTestDatabase(db: Db): void {
  globalForDb.switchboardDb = db;
}

export function closeDatabase(): void {
  globalForDb.switchboardDb?.$client.close();
  globalForDb.switchboardDb = undefined;
}
