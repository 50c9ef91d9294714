import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/tests/helpers/db";
import type { Db } from "../db/client";
import { configVersions, outboundApis } from "../db/schema";
import { createOutboundApi, deleteOutboundApi, setOutboundApiEnabled, updateOutboundApi } from "../services/outboundApis";
import { OutboundApiCatalog } from "./catalog";
import { eventually, setTestAppSecret } from "./testing/harness";

/**
 * The catalogue is cached per module copy and per process; it must see every
 * change, made by whichever copy, connection or process (issue #11). A second
 * connection to the same database stands in for another process or bundle.
 * SQLite sees a change on the very next read; PostgreSQL once the
 * notification arrived and the copy reloaded, so there the checks poll.
 */
describe("the outbound-API catalogue sees changes made anywhere", () => {
  let test: TestDb;
  let other: Db;
  let catalog: OutboundApiCatalog;
  const cdr = { kind: "end_of_call", name: "CDR", url: "http://crm.example/cdr", apply_to: "all_calls" } as const;

  beforeEach(async () => {
    setTestAppSecret();
    test = await createTestDb();
    other = await test.connect();
    catalog = new OutboundApiCatalog(test.db);
    await catalog.load();
  });

  afterEach(async () => {
    await catalog.close();
    await test.cleanup();
  });

  /** SQLite: holds on the next read. PostgreSQL: holds once the notification reloaded the copy. */
  async function sees<T>(check: () => T | undefined | false, what: string): Promise<T> {
    if (test.backend === "sqlite") {
      const value = check();
      expect(value, what).toBeTruthy();
      return value as T;
    }
    return eventually(check, what);
  }

  async function counter(): Promise<number> {
    const [row] = await test.db.select({ version: configVersions.version }).from(configVersions).where(eq(configVersions.topic, "outbound_apis")).limit(1);
    return row?.version ?? 0;
  }

  it("picks up an API created, edited, disabled and deleted through another connection", async () => {
    expect(catalog.all()).toEqual([]);
    const { outboundApi } = await createOutboundApi(other, cdr);
    expect(await sees(() => catalog.active("end_of_call").map((api) => api.id).join(), "the new API")).toBe(outboundApi.id);

    await updateOutboundApi(other, outboundApi.id, { ...cdr, url: "http://crm.example/v2" });
    await sees(() => catalog.get(outboundApi.id)?.config.url === "http://crm.example/v2", "the edit");

    await setOutboundApiEnabled(other, outboundApi.id, false);
    await sees(() => catalog.active("end_of_call").length === 0, "the disabling");

    await deleteOutboundApi(other, outboundApi.id);
    await sees(() => catalog.get(outboundApi.id) === undefined, "the deletion");
  });

  it("picks up a hand edit in SQL, which no service could have announced", async () => {
    const { outboundApi } = await createOutboundApi(test.db, cdr);
    await sees(() => catalog.get(outboundApi.id)?.enabled === true, "the new API");
    await other.update(outboundApis).set({ enabled: false }).where(eq(outboundApis.id, outboundApi.id));
    await sees(() => catalog.get(outboundApi.id)?.enabled === false, "the hand edit");
  });

  it("rebuilds only after a change, and tells its listeners", async () => {
    await createOutboundApi(test.db, cdr);
    await sees(() => catalog.all().length === 1, "the first API");
    await catalog.settled();
    const first = catalog.all()[0];
    expect(catalog.all()[0]).toBe(first); // the same parsed object: nothing was re-read or decrypted
    let changes = 0;
    catalog.onChange(() => changes++);
    const before = await counter();
    await createOutboundApi(other, { ...cdr, name: "Second" });
    expect(await counter()).toBe(before + 1);
    await sees(() => catalog.all().length === 2, "the second API");
    await catalog.settled();
    expect(changes).toBe(1);
    expect(catalog.all()).toHaveLength(2);
    expect(changes).toBe(1);
  });
});
