import { openSipEdgeData, type SipEdgeData } from "@/server/runtime/sipEdgeData";
import { createTestDb, type TestDb } from "./db";

/**
 * A test database with the SIP edge's view of it (`SipEdgeData`: read per use on SQLite, in-memory copies reloaded
 * on change notifications on PostgreSQL — wait for it with `vi.waitFor`), both closed by `cleanup()`.
 */
export async function createSipEdgeTestDb(): Promise<TestDb & { edge: SipEdgeData }> {
  const test = await createTestDb();
  const edge = await openSipEdgeData(test.db);
  return {
    ...test,
    edge,
    cleanup: async () => {
      await edge.close();
      await test.cleanup();
    },
  };
}
