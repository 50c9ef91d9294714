import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ManualClock } from "@/flows/runtime/testing/manualClock";
import { createTestDb, onPostgres } from "@/tests/helpers/db";
import type { Db } from "../db/client";
import { deliveries, deliveryAttempts, integrationMessages, outboundApis, type DeliveryStatus } from "../db/schema";
import { getDeliveryRetentionDays, setSetting, settingKeys } from "../services/settings";
import { DeliveryPruner } from "./retention";

const day = 24 * 60 * 60 * 1000;
const hour = 60 * 60 * 1000;
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

let db: Db;
let cleanup: () => Promise<void>;
let clock: ManualClock;
beforeEach(async () => {
  ({ db, cleanup } = await createTestDb());
  clock = new ManualClock("2026-11-24T09:00:00.000Z");
  for (const id of ["api_a", "api_b"]) {
    db.insert(outboundApis)
      .values({ id, name: id, kind: "event_hook", config: {}, signingSecretEncrypted: "x", createdAt: clock.now(), updatedAt: clock.now() })
      .run();
  }
});
afterEach(() => cleanup());

let seq = 0;
/** A message with one delivery per given endpoint/status/age, each with one attempt. */
function message(...ways: { status: DeliveryStatus; ageDays: number; api?: string }[]): { messageId: string; deliveryIds: string[] } {
  const messageId = `msg_${++seq}`;
  db.insert(integrationMessages).values({ id: messageId, eventType: "call.ended", payload: "{}", createdAt: clock.now() }).run();
  const deliveryIds = ways.map((way, i) => {
    const id = `dlv_${seq}_${i}`;
    const updatedAt = clock.now() - way.ageDays * day;
    db.insert(deliveries)
      .values({ id, messageId, outboundApiId: way.api ?? "api_a", status: way.status, nextAttemptAt: updatedAt, createdAt: updatedAt, updatedAt })
      .run();
    db.insert(deliveryAttempts).values({ deliveryId: id, attemptNo: 1, startedAt: updatedAt, latencyMs: 5, statusCode: 200 }).run();
    return id;
  });
  return { messageId, deliveryIds };
}

const ids = <T extends { id: string }>(rows: T[]) => rows.map((r) => r.id).sort();
const deliveryIds = () => ids(db.select({ id: deliveries.id }).from(deliveries).all());
const messageIds = () => ids(db.select({ id: integrationMessages.id }).from(integrationMessages).all());
const attemptDeliveryIds = () => db.select({ id: deliveryAttempts.deliveryId }).from(deliveryAttempts).all().map((r) => r.id).sort();

function pruner(batchSize?: number) {
  return new DeliveryPruner({ db, clock, logger: quiet, retentionDays: () => getDeliveryRetentionDays(db), batchSize, firstRunDelayMs: 1000 });
}

// SQLite only for now: written against SQLite's synchronous writes and statements. The PostgreSQL forms of this behaviour are in
// server/integration/postgres.test.ts and tests/e2e/postgres.e2e.ts; converting this file is open (server/db/README.md).
describe.skipIf(onPostgres)("delivery log retention", () => {
  it("hourly deletes old succeeded/expired deliveries with their attempts and orphan messages, keeping everything an admin must see", async () => {
    const oldSucceeded = message({ status: "succeeded", ageDays: 31 });
    const oldExpired = message({ status: "expired", ageDays: 40 });
    const recentSucceeded = message({ status: "succeeded", ageDays: 29 });
    const kept = (["pending", "in_flight", "failed", "dead"] as const).map((status) => message({ status, ageDays: 100 }));
    // One message to two endpoints: the old delivered one goes, the dead one and the message stay.
    const mixed = message({ status: "succeeded", ageDays: 90, api: "api_a" }, { status: "dead", ageDays: 90, api: "api_b" });

    const job = pruner();
    job.start();
    await clock.advanceAsync(999);
    expect(deliveryIds()).toHaveLength(9); // not before the first run
    await clock.advanceAsync(1);

    const keptDeliveries = [...recentSucceeded.deliveryIds, ...kept.flatMap((m) => m.deliveryIds), mixed.deliveryIds[1]].sort();
    expect(deliveryIds()).toEqual(keptDeliveries);
    expect(attemptDeliveryIds()).toEqual(keptDeliveries);
    expect(messageIds()).toEqual([recentSucceeded.messageId, ...kept.map((m) => m.messageId), mixed.messageId].sort());
    expect(messageIds()).not.toContain(oldSucceeded.messageId);
    expect(messageIds()).not.toContain(oldExpired.messageId);

    // The recent one ages past 30 days: the next hourly run takes it.
    await clock.advanceAsync(day);
    expect(deliveryIds()).not.toContain(recentSucceeded.deliveryIds[0]);
    expect(messageIds()).not.toContain(recentSucceeded.messageId);
    expect(deliveryIds()).toHaveLength(5);
    job.stop();
    expect(clock.pendingTimers).toBe(0);
  });

  it("follows the setting at the next run", async () => {
    const fiveDays = message({ status: "succeeded", ageDays: 5 });
    const job = pruner();
    job.start();
    await clock.advanceAsync(hour);
    expect(deliveryIds()).toEqual(fiveDays.deliveryIds);
    await setSetting(db, settingKeys.deliveryRetentionDays, 3);
    await clock.advanceAsync(hour);
    expect(deliveryIds()).toEqual([]);
    job.stop();
  });

  it("goes through a large backlog in batches of 1,000, each on its own timer turn", async () => {
    db.$client.transaction(() => {
      for (let i = 0; i < 2500; i++) message({ status: "succeeded", ageDays: 60 });
    })();
    const recent = message({ status: "succeeded", ageDays: 1 });
    // Records what is left each time the job hands back to the event loop between batches.
    const leftAtEachTurn: number[] = [];
    const recordingClock = {
      now: () => clock.now(),
      clearTimeout: (handle: Parameters<ManualClock["clearTimeout"]>[0]) => clock.clearTimeout(handle),
      setTimeout: (callback: () => void, ms: number) => {
        if (ms === 0) leftAtEachTurn.push(deliveryIds().length);
        return clock.setTimeout(callback, ms);
      },
    };
    const job = new DeliveryPruner({ db, clock: recordingClock, logger: quiet, retentionDays: async () => 30, firstRunDelayMs: 1000 });
    job.start();
    await clock.advanceAsync(1000);
    expect(leftAtEachTurn).toEqual([1501, 501]);
    expect(deliveryIds()).toEqual(recent.deliveryIds);
    expect(messageIds()).toEqual([recent.messageId]);
    expect(attemptDeliveryIds()).toEqual(recent.deliveryIds);
    job.stop();
  });

  it("pruneAll does everything due at once and reports the count", async () => {
    for (let i = 0; i < 5; i++) message({ status: "expired", ageDays: 31 });
    message({ status: "failed", ageDays: 31 });
    expect(await pruner(2).pruneAll()).toBe(5);
    expect(deliveryIds()).toHaveLength(1);
  });
});
