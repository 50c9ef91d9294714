/**
 * PgSnapshot: a value read from PostgreSQL, kept in memory for synchronous callers (the SIP edge's trunks and
 * passwords) and read again when one of its topics is notified on `config_versions`. Needs TEST_DATABASE_URL.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createTestPostgres, testDatabaseUrl } from "@/tests/helpers/postgres";
import { PgConfigVersions, PgSnapshot } from "./pgConfigVersions";

describe.skipIf(!testDatabaseUrl)("PgSnapshot", () => {
  let connection: Awaited<ReturnType<typeof createTestPostgres>>;
  let versions: PgConfigVersions;
  beforeEach(async () => {
    connection = await createTestPostgres(testDatabaseUrl!);
    versions = await PgConfigVersions.start(connection.db.$client);
  });
  afterEach(async () => {
    await versions.close();
    await connection.drop();
  });

  /** The value the snapshots copy: the `sip_trunks` counter itself. */
  const readCounter = async () => Number((await connection.db.$client.query<{ version: string }>("select version from config_versions where topic = 'sip_trunks'")).rows[0].version);
  /** A committed change of `topic`, as a trigger makes it: the counter moves and the topic is notified. */
  const change = (topic: string) =>
    connection.db.$client.query(`update config_versions set version = version + 1 where topic = '${topic}'; select pg_notify('config_versions', '${topic}')`);
  /** Resolves when this process has heard the next notification of `topic`. */
  const heard = (topic: string) =>
    new Promise<void>((resolve) => {
      const stop = versions.onChange((changed) => {
        if (changed !== topic) return;
        stop();
        resolve();
      });
    });
  const noFailure = (error: Error) => {
    throw error;
  };

  it("is read before use and read again when one of its topics is notified, not for another topic", async () => {
    const snapshot = await PgSnapshot.load(versions, ["sip_trunks"], readCounter, noFailure);
    const first = snapshot.current();
    expect(first).toBeGreaterThan(0);

    const otherHeard = heard("outbound_apis");
    await change("outbound_apis");
    await otherHeard;
    await snapshot.settled();
    expect(snapshot.generation()).toBe(0);

    await change("sip_trunks");
    await vi.waitFor(() => expect(snapshot.current()).toBe(first + 1));
    expect(snapshot.generation()).toBe(1);
    snapshot.close();
  });

  it("does not miss a change notified while its first read runs", async () => {
    let reads = 0;
    const snapshot = await PgSnapshot.load(
      versions,
      ["sip_trunks"],
      async () => {
        const value = await readCounter();
        if (reads++ === 0) {
          // The change commits after this read saw the database, and its notification arrives before the load returns.
          const notified = heard("sip_trunks");
          await change("sip_trunks");
          await notified;
        }
        return value;
      },
      noFailure,
    );
    const stale = snapshot.current();
    await vi.waitFor(() => expect(snapshot.current()).toBe(stale + 1));
    snapshot.close();
  });

  it("keeps the previous copy when a reload fails, and reports the failure", async () => {
    let failing = false;
    const failures: string[] = [];
    const snapshot = await PgSnapshot.load(
      versions,
      ["sip_trunks"],
      async () => {
        if (failing) throw new Error("database unreachable (test)");
        return readCounter();
      },
      (error) => failures.push(error.message),
    );
    const first = snapshot.current();
    failing = true;
    await change("sip_trunks");
    await vi.waitFor(() => expect(failures).toEqual(["database unreachable (test)"]));
    expect(snapshot.current()).toBe(first);
    expect(snapshot.generation()).toBe(0);
    snapshot.close();
  });
});
