import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { eq } from "drizzle-orm";
import { createTestDb, onPostgres } from "@/tests/helpers/db";
import type { Db } from "./client";
import { settings } from "./schema";
import { affectedRows, transaction, TransactionGuardError } from "./transaction";

let db: Db;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ db, cleanup } = await createTestDb()));
afterEach(() => cleanup());

const write = (tx: Db, key: string, value: string) => tx.insert(settings).values({ key, value }).onConflictDoUpdate({ target: settings.key, set: { value } });
const read = async (key: string) => (await db.select().from(settings).where(eq(settings.key, key)).limit(1))[0]?.value;

// On both backends; the guards of SQLite's one shared connection (skipped on PostgreSQL) do not apply to PostgreSQL's
// pooled transactions, which are Drizzle's own (server/db/README.md).
describe("transaction", () => {
  it("commits the callback's writes and returns its result", async () => {
    const result = await transaction(db, async (tx) => {
      await write(tx, "a", "1");
      await write(tx, "b", "2");
      return "done";
    });
    expect(result).toBe("done");
    expect([await read("a"), await read("b")]).toEqual(["1", "2"]);
  });

  it("rolls back every write when the callback throws, and rethrows", async () => {
    await expect(
      transaction(db, async (tx) => {
        await write(tx, "a", "1");
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await read("a")).toBeUndefined();
    if (!onPostgres) expect(db.$client.inTransaction).toBe(false);
  });

  it.skipIf(onPostgres)("refuses a transaction that stays open across a macrotask, rolling it back", async () => {
    await expect(
      transaction(db, async (tx) => {
        await write(tx, "a", "1");
        await new Promise((resolve) => setImmediate(resolve));
        await write(tx, "b", "2");
      }),
    ).rejects.toThrow(TransactionGuardError);
    expect([await read("a"), await read("b")]).toEqual([undefined, undefined]);
    expect(db.$client.inTransaction).toBe(false);
  });

  it.skipIf(onPostgres)("refuses a statement from a concurrent async chain while a transaction is open", async () => {
    let openGate!: () => void;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    // Another chain of the same macrotask (as a tRPC batch runs procedures side by side) writes while the transaction is open.
    const outside = (async () => {
      await gate;
      await write(db, "intruder", "x");
    })();
    await transaction(db, async (tx) => {
      await write(tx, "a", "1");
      openGate();
      for (let i = 0; i < 5; i++) await Promise.resolve();
      await write(tx, "b", "2");
    });
    await expect(outside).rejects.toThrow(TransactionGuardError);
    expect(await read("intruder")).toBeUndefined();
    expect([await read("a"), await read("b")]).toEqual(["1", "2"]);
  });

  it.skipIf(onPostgres)("serialises two transactions: the second starts after the first commits", async () => {
    const order: string[] = [];
    const first = transaction(db, async (tx) => {
      order.push("first:begin");
      await write(tx, "n", "1");
      await Promise.resolve();
      order.push("first:end");
    });
    const second = transaction(db, async (tx) => {
      order.push("second:begin");
      const value = (await tx.select().from(settings).where(eq(settings.key, "n")))[0]?.value;
      await write(tx, "n", String(Number(value) + 1));
      order.push("second:end");
    });
    await Promise.all([first, second]);
    expect(order).toEqual(["first:begin", "first:end", "second:begin", "second:end"]);
    expect(await read("n")).toBe("2");
  });

  it("nests as a savepoint: an inner failure rolls back only the inner writes", async () => {
    await transaction(db, async (tx) => {
      await write(tx, "outer", "1");
      await expect(
        transaction(tx, async (inner) => {
          await write(inner, "inner", "1");
          throw new Error("inner failed");
        }),
      ).rejects.toThrow("inner failed");
    });
    expect([await read("outer"), await read("inner")]).toEqual(["1", undefined]);
  });

  it.skipIf(onPostgres)("works across module copies (Next bundles) sharing one connection", async () => {
    await transaction(db, async (tx) => write(tx, "a", "1")); // this copy installs the prepare guard
    vi.resetModules();
    const otherBundle = await import("./transaction");
    expect(otherBundle.transaction).not.toBe(transaction);
    await otherBundle.transaction(db, async (tx) => write(tx, "b", "2"));
    expect([await read("a"), await read("b")]).toEqual(["1", "2"]);
  });

  it("counts affected rows from SQLite's changes and node-postgres' rowCount", async () => {
    await write(db, "a", "1");
    expect(affectedRows(await db.update(settings).set({ value: "2" }).where(eq(settings.key, "a")))).toBe(1);
    expect(affectedRows(await db.delete(settings).where(eq(settings.key, "missing")))).toBe(0);
    expect(affectedRows({ rowCount: 3 })).toBe(3);
  });
});
