import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase, installTestDatabase, type Db } from "@/server/db/client";
import { openPostgres } from "@/server/db/postgres";
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
  /** What another process opens to reach this database: the SQLite file's path, or the PostgreSQL database's URL. */
  location: string;
  /** A connection of its own to the same database, as another process or Next bundle has; closed by `cleanup`. */
  connect(): Promise<Db>;
  /** The call runtime's store for this database (`new Runtime({ data })`); closed by `cleanup`. */
  runtimeStore(): Promise<RuntimeStore>;
  /** Resolves once what the runtime recorded is committed: PostgreSQL's writer queues it (every 10 ms), SQLite's wrote it at once. */
  durable(): Promise<void>;
  cleanup(): Promise<void>;
}

interface OpenedDatabase {
  db: Db;
  location: string;
  close(): Promise<void>;
}

/** Opens `location` on `backend` (the test's database, or another connection to it). */
async function openConnection(backend: TestDb["backend"], location: string): Promise<OpenedDatabase> {
  if (backend === "postgres") {
    const connection = await openPostgres(location, { maxConnections: 2 });
    // The one cast getDb() makes too (server/db/client.ts): services take the PostgreSQL db as `Db`.
    return { db: connection.db as unknown as Db, location, close: () => connection.close() };
  }
  const db = openDatabase(location);
  return {
    db,
    location,
    close: async () => {
      db.$client.close();
    },
  };
}

/** The test's database on `backend`, with how to close it. */
async function openTestDatabase(backend: TestDb["backend"], dir: string): Promise<OpenedDatabase> {
  if (backend === "postgres") {
    const postgres = await createTestPostgres(testDatabaseUrl!);
    return { db: postgres.db as unknown as Db, location: postgres.url, close: () => postgres.drop() };
  }
  return openConnection(backend, path.join(dir, "test.db"));
}

/**
 * A real, migrated database of the test's own, installed as the process-wide one (integration tests never mock the
 * database): a SQLite file in a temp folder, or on PostgreSQL a clone of the migrated template. `backend` defaults to
 * the suite's; tests comparing the two dialects name the one they want.
 */
export async function createTestDb(backend: TestDb["backend"] = testBackend): Promise<TestDb> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-test-"));
  const { db, location, close } = await openTestDatabase(backend, dir);
  const stores: RuntimeStore[] = [];
  const connections: OpenedDatabase[] = [];
  installTestDatabase(db);
  return {
    db,
    dir,
    backend,
    location,
    connect: async () => {
      const connection = await openConnection(backend, location);
      connections.push(connection);
      return connection.db;
    },
    runtimeStore: async () => {
      const store = await createRuntimeStore(db);
      stores.push(store);
      return store;
    },
    durable: () => recordWriterFor(db).durable(),
    cleanup: async () => {
      for (const store of stores.splice(0)) await store.close();
      for (const connection of connections.splice(0)) await connection.close();
      await close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
