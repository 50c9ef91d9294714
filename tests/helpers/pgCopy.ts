import type { Db } from "@/server/db/client";
import type { PgDb } from "@/server/db/postgres";
import * as sqliteSchema from "@/server/db/schema";
import { pgTables } from "@/server/db/schema/pg";

/**
 * Copies every row of a SQLite database into an empty, migrated PostgreSQL one
 * (tables in declaration order, which references follow): tests seed with the
 * SQLite services, then run PostgreSQL code on the same organisation.
 * `config_versions` keeps PostgreSQL's own counters.
 */
export async function copySqliteToPostgres(from: Db, to: PgDb): Promise<void> {
  for (const [name, pgTable] of Object.entries(pgTables)) {
    if (name === "configVersions") continue;
    const sqliteTable = sqliteSchema[name as keyof typeof pgTables];
    const rows = from.select().from(sqliteTable).all();
    for (let start = 0; start < rows.length; start += 500) {
      await to.insert(pgTable).values(rows.slice(start, start + 500) as never);
    }
  }
}
