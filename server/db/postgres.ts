import path from "node:path";
import pg from "pg";
import { drizzle, type NodePgDatabase } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import { pgTables, type PgTables } from "./schema/pg";
import { StartupError } from "../config";
import { componentLogger } from "../logger";

export type PgDb = NodePgDatabase<PgTables> & { $client: pg.Pool };

export interface PostgresConnection {
  db: PgDb;
  /** Ends every pooled connection; the process can exit afterwards. */
  close: () => Promise<void>;
}

export const pgMigrationsFolder = path.join(process.cwd(), "drizzle", "pg");

/** Any number: every process that starts takes it while migrating, so two starting at once do not both apply a migration. */
const MIGRATION_LOCK = 0x5b_0a_2d_12;

const log = componentLogger("postgres");

/** The URL without its password: for messages and logs. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(an unparsable URL)";
  }
}

const BIGINT_OID = 20;

/**
 * Connects to PostgreSQL (`DATABASE_URL`, server/db/README.md) and applies
 * pending migrations from drizzle/pg before anything else uses it.
 */
export async function openPostgres(url: string, options: { maxConnections?: number } = {}): Promise<PostgresConnection> {
  const pool = new pg.Pool({ connectionString: url, max: options.maxConnections ?? 10 });
  // `bigint` (every declared `integer`, `count(*)`) is read as a JS number, as better-sqlite3 reads SQLite integers:
  // services query through the SQLite table declarations, whose integer columns pass the driver's value through
  // (server/db/README.md, "Booting on PostgreSQL"). Process-wide, because Drizzle's node-postgres driver falls back to
  // pg's global parsers, not the pool's. Epoch milliseconds and counts stay far below 2^53.
  pg.types.setTypeParser(BIGINT_OID, Number);
  // A pooled connection the server drops while idle (restart, failover) is replaced on next use; without a listener it would crash the process.
  pool.on("error", (error) => log.warn({ err: error.message }, "an idle PostgreSQL connection failed; it will be replaced"));
  const db = drizzle(pool, { schema: pgTables }) as PgDb;
  try {
    const lock = await pool.connect();
    try {
      await lock.query("select pg_advisory_lock($1)", [MIGRATION_LOCK]);
      await migrate(db, { migrationsFolder: pgMigrationsFolder });
    } finally {
      await lock.query("select pg_advisory_unlock($1)", [MIGRATION_LOCK]).catch(() => {});
      lock.release();
    }
  } catch (error) {
    await pool.end();
    throw new StartupError(
      `PostgreSQL at ${redactedUrl(url)} cannot be opened or migrated (${(error as Error).message}). ` +
        "Check DATABASE_URL, that the server runs and that the user owns the database (it creates the pg_trgm extension).",
    );
  }
  return { db, close: () => pool.end() };
}
