import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Clock } from "@/flows/runtime/ports";
import { ManualClock } from "@/flows/runtime/testing/manualClock";
import { createTestDb } from "@/tests/helpers/db";
import type { Db } from "../db/client";
import { transaction } from "../db/transaction";
import { deliveries, deliveryAttempts, integrationMessages, outboundApis, type DeliveryStatus } from "../db/schema";
import { getDeliveryRetentionDays, setSetting, settingKeys } from "../services/settings";
import { DeliveryPruner } from "./retention";

const day = 24 * 60 * 60 * 1000;
const hour = 60 * 60 * 1000;
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

let db: Db;
let cleanup: () => Promise<void>;
let clock: ManualClock;
/** The delay of every timer the job asked its clock for, in order. */
let asked: number[];
beforeEach(async () => {
  ({ db, cleanup } = await createTestDb());
  clock = new ManualClock("2026-11-24T09:00:00.000Z");
  asked = [];
  await db.insert(outboundApis).values(
    ["api_a", "api_b"].map((id) => ({ id, name: id, kind: "event_hook" as const, config: {}, signingSecretEncrypted: "x", createdAt: clock.now(), updatedAt: clock.now() })),
  );
});
afterEach(() => cleanup());

type Way = { status: DeliveryStatus; ageDays: number; api?: string };
let seq = 0;
/** `count` messages, each with one delivery per given endpoint/status/age, each delivery with one attempt. */
async function messages(count: number, ...ways: Way[]): Promise<Array<{ messageId: string; deliveryIds: string[] }>> {
  const made = Array.from({ length: count }, () => {
    const messageId = `msg_${++seq}`;
    return { messageId, deliveries: ways.map((way, i) => ({ id: `dlv_${seq}_${i}`, way, updatedAt: clock.now() - way.ageDays * day })) };
  });
  // In slices, far below either dialect's limit of parameters per statement.
  const slices = Array.from({ length: Math.ceil(count / 500) }, (_, i) => made.slice(i * 500, (i + 1) * 500));
  await transaction(db, async (tx) => {
    for (const slice of slices) {
      const sent = slice.flatMap((m) => m.deliveries.map((d) => ({ ...d, messageId: m.messageId })));
      await tx.insert(integrationMessages).values(slice.map((m) => ({ id: m.messageId, eventType: "call.ended", payload: "{}", createdAt: clock.now() })));
      if (sent.length === 0) continue;
      await tx.insert(deliveries).values(
        sent.map((d) => ({ id: d.id, messageId: d.messageId, outboundApiId: d.way.api ?? "api_a", status: d.way.status, nextAttemptAt: d.updatedAt, createdAt: d.updatedAt, updatedAt: d.updatedAt })),
      );
      await tx.insert(deliveryAttempts).values(sent.map((d) => ({ deliveryId: d.id, attemptNo: 1, startedAt: d.updatedAt, latencyMs: 5, statusCode: 200 })));
    }
  });
  return made.map((m) => ({ messageId: m.messageId, deliveryIds: m.deliveries.map((d) => d.id) }));
}
const message = async (...ways: Way[]) => (await messages(1, ...ways))[0];

const ids = <T extends { id: string }>(rows: T[]) => rows.map((r) => r.id).sort();
const deliveryIds = async () => ids(await db.select({ id: deliveries.id }).from(deliveries));
const messageIds = async () => ids(await db.select({ id: integrationMessages.id }).from(integrationMessages));
const attemptDeliveryIds = async () => (await db.select({ id: deliveryAttempts.deliveryId }).from(deliveryAttempts)).map((r) => r.id).sort();

/** The manual clock, noting each timer the job asks for: the job asks for the next one when a run or a batch is done. */
function jobClock(onTimer: (ms: number) => void = () => {}): Clock {
  return {
    now: () => clock.now(),
    clearTimeout: (handle) => clock.clearTimeout(handle),
    setTimeout: (callback, ms) => {
      asked.push(ms);
      onTimer(ms);
      return clock.setTimeout(callback, ms);
    },
  };
}

/**
 * Moves the clock by `ms` (past a run) and lets the job work until it rests until its next hourly run, firing the
 * timer turns between batches. A run is awaited I/O — real I/O on PostgreSQL, which advancing the clock does not wait
 * for — so this waits for the job's next timer rather than for the clock. `beforeEachTurn` is awaited before a turn's timer fires.
 */
async function runJob(ms: number, beforeEachTurn: () => Promise<unknown> = async () => {}): Promise<void> {
  let seen = asked.length;
  await clock.advanceAsync(ms);
  for (;;) {
    await vi.waitFor(() => expect(asked.length).toBeGreaterThan(seen));
    seen = asked.length;
    if (asked.at(-1) !== 0) return;
    await beforeEachTurn();
    await clock.advanceAsync(0);
  }
}

/** `hours` hourly runs, one after another. */
async function runHours(hours: number): Promise<void> {
  for (let i = 0; i < hours; i++) await runJob(hour);
}

function pruner(batchSize?: number) {
  return new DeliveryPruner({ db, clock: jobClock(), logger: quiet, retentionDays: () => getDeliveryRetentionDays(db), batchSize, firstRunDelayMs: 1000 });
}

describe("delivery log retention", () => {
  it("hourly deletes old succeeded/expired deliveries with their attempts and orphan messages, keeping everything an admin must see", async () => {
    const oldSucceeded = await message({ status: "succeeded", ageDays: 31 });
    const oldExpired = await message({ status: "expired", ageDays: 40 });
    const recentSucceeded = await message({ status: "succeeded", ageDays: 29 });
    const kept = [];
    for (const status of ["pending", "in_flight", "failed", "dead"] as const) kept.push(await message({ status, ageDays: 100 }));
    // One message to two endpoints: the old delivered one goes, the dead one and the message stay.
    const mixed = await message({ status: "succeeded", ageDays: 90, api: "api_a" }, { status: "dead", ageDays: 90, api: "api_b" });

    const job = pruner();
    job.start();
    await clock.advanceAsync(999);
    expect(asked).toEqual([1000]); // not before the first run
    expect(await deliveryIds()).toHaveLength(9);
    await runJob(1);

    const keptDeliveries = [...recentSucceeded.deliveryIds, ...kept.flatMap((m) => m.deliveryIds), mixed.deliveryIds[1]].sort();
    expect(await deliveryIds()).toEqual(keptDeliveries);
    expect(await attemptDeliveryIds()).toEqual(keptDeliveries);
    expect(await messageIds()).toEqual([recentSucceeded.messageId, ...kept.map((m) => m.messageId), mixed.messageId].sort());
    expect(await messageIds()).not.toContain(oldSucceeded.messageId);
    expect(await messageIds()).not.toContain(oldExpired.messageId);

    // The recent one ages past 30 days: an hourly run a day later takes it.
    await runHours(23);
    expect(await deliveryIds()).toContain(recentSucceeded.deliveryIds[0]);
    await runHours(1);
    expect(await deliveryIds()).not.toContain(recentSucceeded.deliveryIds[0]);
    expect(await messageIds()).not.toContain(recentSucceeded.messageId);
    expect(await deliveryIds()).toHaveLength(5);
    job.stop();
    expect(clock.pendingTimers).toBe(0);
  });

  it("follows the setting at the next run", async () => {
    const fiveDays = await message({ status: "succeeded", ageDays: 5 });
    const job = pruner();
    job.start();
    await runJob(1000);
    expect(await deliveryIds()).toEqual(fiveDays.deliveryIds);
    await setSetting(db, settingKeys.deliveryRetentionDays, 3);
    await runHours(1);
    expect(await deliveryIds()).toEqual([]);
    job.stop();
  });

  it("goes through a large backlog in batches of 1,000, each on its own timer turn", async () => {
    await messages(2500, { status: "succeeded", ageDays: 60 });
    const recent = await message({ status: "succeeded", ageDays: 1 });
    // Records what is left each time the job hands back to the event loop between batches (read before the turn's timer fires).
    const leftAtEachTurn: Array<Promise<number>> = [];
    const clockOfJob = jobClock((ms) => {
      if (ms === 0) leftAtEachTurn.push(deliveryIds().then((left) => left.length));
    });
    const job = new DeliveryPruner({ db, clock: clockOfJob, logger: quiet, retentionDays: async () => 30, firstRunDelayMs: 1000 });
    job.start();
    await runJob(1000, () => Promise.all(leftAtEachTurn));
    expect(await Promise.all(leftAtEachTurn)).toEqual([1501, 501]);
    expect(asked).toEqual([1000, 0, 0, hour]);
    expect(await deliveryIds()).toEqual(recent.deliveryIds);
    expect(await messageIds()).toEqual([recent.messageId]);
    expect(await attemptDeliveryIds()).toEqual(recent.deliveryIds);
    job.stop();
  });

  it("pruneAll does everything due at once and reports the count", async () => {
    await messages(5, { status: "expired", ageDays: 31 });
    await message({ status: "failed", ageDays: 31 });
    expect(await pruner(2).pruneAll()).toBe(5);
    expect(await deliveryIds()).toHaveLength(1);
  });
});
