import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase, installTestDatabase, type Db } from "@/server/db/client";
import { recordWriterFor } from "@/server/runtime/recordWriter";
import { createRuntimeStore, type RuntimeStore } from "@/server/runtime/runtimeStore";
import { createTestPostgres, testDatabaseUrl } from "./postgres";

/**
 * Which database the suite runs on: `TEST_BACKEND=postgres` (with `TEST_DATABASE_URL`, see
 * tests/helpers/postgres.ts) runs it on PostgreSQL; anything else on SQLite (server/db/README.md, "The suite on both backends").
 */
export const testBackend: "sqlite" | "postgres" = process.env.TEST_BACKEND === "postgres" ? "postgres" : "sqlite";
export const onPostgres = testBackend === "postgres";
if (onPostgres && !testDatabaseUrl) throw new Error('TEST_BACKEND=postgres needs TEST_DATABASE_URL (eval "$(scripts/pg-cluster.sh start)")');

export interface TestDb {
  /** Typed as services take it: on PostgreSQL the pg Drizzle database, as `getDb()` hands it out. */
  db: Db;
  /** A temp folder of the test's own (recordings, data files), on both backends. */
  dir: string;
  backend: typeof testBackend;
  /** The call runtime's store for this database (`new Runtime({ data })`); closed by `cleanup`. */
  runtimeStore(): Promise<RuntimeStore>;
  /** Resolves once what the runtime recorded is committed: PostgreSQL's writer queues it (every 10 ms), SQLite's wrote it at once. */
  durable(): Promise<void>;
  cleanup(): Promise<void>;
}

/** The test's database on `backend`, with how to close it. */
async function openTestDatabase(backend: TestDb["backend"], dir: string): Promise<{ db: Db; close(): Promise<void> }> {
  if (backend === "postgres") {
    const postgres = await createTestPostgres(testDatabaseUrl!);
    // The one cast getDb() makes too (server/db/client.ts): services take the PostgreSQL db as `Db`.
    return { db: postgres.db as unknown as Db, close: () => postgres.drop() };
  }
  const db = openDatabase(path.join(dir, "test.db"));
  return {
    db,
    close: async () => {
      db.$client.close();
    },
  };
}

/**
 * A real, migrated database of the test's own, installed as the process-wide one (integration tests never mock the
 * database): a SQLite file in a temp folder, or on PostgreSQL a clone of the migrated template. `backend` defaults to
 * the suite's; tests comparing the two dialects name the one they want.
 */
export async function createTestDb(backend: TestDb["backend"] = testBackend): Promise<TestDb> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-test-"));
  const { db, close } = await openTestDatabase(backend, dir);
  const stores: RuntimeStore[] = [];
  installTestDatabase(db);
  return {
    db,
    dir,
    backend,
    runtimeStore: async () => {
      const store = await createRuntimeStore(db);
      stores.push(store);
      return store;
    },
    durable: () => recordWriterFor(db).durable(),
    cleanup: async () => {
      for (const store of stores.splice(0)) await store.close();
      await close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
