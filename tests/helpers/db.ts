import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase, installTestDatabase, type Db } from "@/server/db/client";

/** A real, migrated SQLite database in its own temp folder (integration tests never mock the database). */
export function createTestDb(): { db: Db; dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-test-"));
  const db = openDatabase(path.join(dir, "test.db"));
  installTestDatabase(db);
  return {
    db,
    dir,
    cleanup: () => {
      db.$client.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
