import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDb, onPostgres } from "@/tests/helpers/db";
import { openDatabase, type Db } from "../db/client";
import { configVersion } from "../db/configVersions";
import { createOutboundApi, deleteOutboundApi, setOutboundApiEnabled, updateOutboundApi } from "../services/outboundApis";
import { OutboundApiCatalog } from "./catalog";
import { setTestAppSecret } from "./testing/harness";

/**
 * The catalogue is cached per module copy and per process; it must see every
 * change, made by whichever copy, connection or process (issue #11). A second
 * connection to the same file stands in for another process or bundle.
 */
// SQLite only for now: written against SQLite's synchronous writes and statements. The PostgreSQL forms of this behaviour are in
// server/integration/postgres.test.ts and tests/e2e/postgres.e2e.ts; converting this file is open (server/db/README.md).
describe.skipIf(onPostgres)("the outbound-API catalogue sees changes made anywhere", () => {
  let test: Awaited<ReturnType<typeof createTestDb>>;
  let other: Db;
  let catalog: OutboundApiCatalog;
  const cdr = { kind: "end_of_call", name: "CDR", url: "http://crm.example/cdr", apply_to: "all_calls" } as const;

  beforeEach(async () => {
    setTestAppSecret();
    test = await createTestDb();
    other = openDatabase(path.join(test.dir, "test.db"));
    catalog = new OutboundApiCatalog(test.db);
  });

  afterEach(async () => {
    other.$client.close();
    await test.cleanup();
  });

  it("picks up an API created, edited, disabled and deleted through another connection", async () => {
    expect(catalog.all()).toEqual([]);
    const { outboundApi } = await createOutboundApi(other, cdr);
    expect(catalog.active("end_of_call").map((api) => api.id)).toEqual([outboundApi.id]);

    await updateOutboundApi(other, outboundApi.id, { ...cdr, url: "http://crm.example/v2" });
    expect(catalog.get(outboundApi.id)?.config.url).toBe("http://crm.example/v2");

    await setOutboundApiEnabled(other, outboundApi.id, false);
    expect(catalog.active("end_of_call")).toEqual([]);

    await deleteOutboundApi(other, outboundApi.id);
    expect(catalog.get(outboundApi.id)).toBeUndefined();
  });

  it("picks up a hand edit in SQL, which no service could have announced", async () => {
    const { outboundApi } = await createOutboundApi(test.db, cdr);
    expect(catalog.get(outboundApi.id)?.enabled).toBe(true);
    other.$client.prepare("update outbound_apis set enabled = 0 where id = ?").run(outboundApi.id);
    expect(catalog.get(outboundApi.id)?.enabled).toBe(false);
  });

  it("rebuilds only after a change, and tells its listeners", async () => {
    await createOutboundApi(test.db, cdr);
    const first = catalog.all()[0];
    expect(catalog.all()[0]).toBe(first); // the same parsed object: nothing was re-read or decrypted
    let changes = 0;
    catalog.onChange(() => changes++);
    const before = configVersion(test.db, "outbound_apis");
    await createOutboundApi(other, { ...cdr, name: "Second" });
    expect(configVersion(test.db, "outbound_apis")).toBe(before + 1);
    expect(catalog.all()).toHaveLength(2);
    expect(changes).toBe(1);
    expect(catalog.all()).toHaveLength(2);
    expect(changes).toBe(1);
  });
});
