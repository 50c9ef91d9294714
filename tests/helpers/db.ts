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

/**
 * A real, migrated database of the test's own, installed as the process-wide one (integration tests never mock the
 * database): a SQLite file in a temp folder, or on PostgreSQL a clone of the migrated template. `backend` defaults to
 * the suite's; tests comparing the two dialects name the one they want.
 */
export async function createTestDb(backend: TestDb["backend"] = testBackend): Promise<TestDb> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-test-"));
  const stores: RuntimeStore[] = [];
  const runtimeStore = async (db: Db) => {
    const store = await createRuntimeStore(db);
    stores.push(store);
    return store;
  };
  const closeStores = async () => {
    for (const store of stores.splice(0)) await store.close();
  };
  if (backend === "postgres") {
    const postgres = await createTestPostgres(testDatabaseUrl!);
    const db = postgres.db as unknown as Db; // the one cast getDb() makes too (server/db/client.ts)
    installTestDatabase(db);
    return {
      db,
      dir,
      backend,
      runtimeStore: () => runtimeStore(db),
      durable: () => recordWriterFor(db).durable(),
      cleanup: async () => {
        await closeStores();
        await postgres.drop();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const db = openDatabase(path.join(dir, "test.db"));
  installTestDatabase(db);
  return {
    db,
    dir,
    backend,
    runtimeStore: () => runtimeStore(db),
    durable: () => recordWriterFor(db).durable(),
    cleanup: async () => {
      await closeStores();
      db.$client.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
