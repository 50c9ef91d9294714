import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { openPostgres, pgMigrationsFolder, type PostgresConnection } from "@/server/db/postgres";

/**
 * The PostgreSQL cluster tests may use (`eval "$(scripts/pg-cluster.sh start)"`; .ci/run starts one).
 * Without it the PostgreSQL tests are skipped — CI always sets it.
 */
export const testDatabaseUrl = process.env.TEST_DATABASE_URL;

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Named after the migrations' content: a changed or added migration gets a template of its own. */
function templateName(): string {
  const hash = crypto.createHash("sha256");
  for (const file of fs.readdirSync(pgMigrationsFolder).filter((f) => f.endsWith(".sql")).sort()) {
    hash.update(file).update(fs.readFileSync(path.join(pgMigrationsFolder, file)));
  }
  return `switchboard_template_${hash.digest("hex").slice(0, 16)}`;
}

async function asAdmin<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * A migrated template database, built once per migration set: test files running in parallel wait on an advisory
 * lock, and it is built under a temporary name and renamed when complete, so a crashed build is never cloned.
 */
async function ensureTemplate(url: string): Promise<string> {
  const template = templateName();
  await asAdmin(url, async (admin) => {
    await admin.query("select pg_advisory_lock(hashtext($1))", [template]);
    const { rowCount } = await admin.query("select 1 from pg_database where datname = $1", [template]);
    if (rowCount) return;
    const building = `${template}_building`;
    await admin.query(`drop database if exists "${building}"`);
    await admin.query(`create database "${building}"`);
    const built = await openPostgres(withDatabase(url, building), { maxConnections: 2 });
    await built.close();
    await admin.query(`alter database "${building}" rename to "${template}"`);
  });
  return template;
}

/** A fresh, migrated database of its own (a clone of the template, which takes a fraction of a second), dropped by `drop`. */
export async function createTestPostgres(url: string): Promise<PostgresConnection & { url: string; drop: () => Promise<void> }> {
  const template = await ensureTemplate(url);
  const name = `switchboard_test_${crypto.randomBytes(6).toString("hex")}`;
  await asAdmin(url, (admin) => admin.query(`create database "${name}" template "${template}"`));
  const databaseUrl = withDatabase(url, name);
  // Every LISTEN (a runtime store, the catalogue without one, the SIP edge) holds a pooled connection for good: a test with
  // two runtimes, the edge and an integration holds four, and a pool of four then had none left for a query (it hung).
  const connection = await openPostgres(databaseUrl, { maxConnections: 8 });
  return {
    ...connection,
    url: databaseUrl,
    drop: async () => {
      await connection.close();
      await asAdmin(url, (admin) => admin.query(`drop database "${name}" with (force)`));
    },
  };
}
