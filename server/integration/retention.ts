import { and, eq, inArray, lt, notExists } from "drizzle-orm";
import type { Clock, Logger, TimerHandle } from "@/flows/runtime/ports";
import type { Db } from "../db/client";
import { deliveries, deliveryAttempts, integrationMessages } from "../db/schema";

const dayMs = 24 * 60 * 60 * 1000;

/** Only finished, uninteresting deliveries are pruned: pending, in-flight, failed and dead ones are what an admin must see. */
export const prunableStatuses = ["succeeded", "expired"] as const;

/**
 * Deletes up to `batchSize` succeeded/expired deliveries last updated before
 * `cutoff` (epoch ms), with their attempts and the messages left without any
 * delivery, in one transaction. Returns how many deliveries went.
 * Children first (attempts → deliveries → messages), so the delete does not
 * depend on `foreign_keys` cascades being on.
 */
export function pruneDeliveryBatch(db: Db, cutoff: number, batchSize: number): number {
  return db.transaction((tx) => {
    const batch = tx
      .select({ id: deliveries.id, messageId: deliveries.messageId })
      .from(deliveries)
      .where(and(inArray(deliveries.status, prunableStatuses), lt(deliveries.updatedAt, cutoff)))
      .limit(batchSize)
      .all();
    if (batch.length === 0) return 0;
    const ids = batch.map((d) => d.id);
    const messageIds = [...new Set(batch.map((d) => d.messageId))];
    tx.delete(deliveryAttempts).where(inArray(deliveryAttempts.deliveryId, ids)).run();
    tx.delete(deliveries).where(inArray(deliveries.id, ids)).run();
    // A message still has a delivery to another endpoint (maybe pending or dead): it stays.
    tx.delete(integrationMessages)
      .where(
        and(
          inArray(integrationMessages.id, messageIds),
          notExists(tx.select({ one: deliveries.id }).from(deliveries).where(eq(deliveries.messageId, integrationMessages.id))),
        ),
      )
      .run();
    return batch.length;
  });
}

export interface DeliveryPrunerOptions {
  db: Db;
  clock: Clock;
  logger: Logger;
  /** Read at every run, so a change on the Settings page applies at the next run. */
  retentionDays: () => number;
  intervalMs?: number;
  /** The first run after start: soon, but not in the way of start-up. */
  firstRunDelayMs?: number;
  batchSize?: number;
}

/**
 * The hourly job that keeps the delivery log from growing forever. A large
 * backlog goes in batches, one transaction each, with a timer turn between
 * them so requests and calls are served in between.
 */
export class DeliveryPruner {
  private timer: TimerHandle | null = null;
  private running = false;
  private readonly intervalMs: number;
  private readonly batchSize: number;

  constructor(private readonly options: DeliveryPrunerOptions) {
    this.intervalMs = options.intervalMs ?? 60 * 60 * 1000;
    this.batchSize = options.batchSize ?? 1000;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(this.options.firstRunDelayMs ?? 60 * 1000, () => this.run());
  }

  stop(): void {
    this.running = false;
    if (this.timer) this.options.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  /** Prunes everything due now, synchronously (tests, or a manual run). Returns the number of deliveries deleted. */
  pruneAll(): number {
    const cutoff = this.cutoff();
    let total = 0;
    for (let n = pruneDeliveryBatch(this.options.db, cutoff, this.batchSize); n > 0; n = pruneDeliveryBatch(this.options.db, cutoff, this.batchSize)) {
      total += n;
      if (n < this.batchSize) break;
    }
    return total;
  }

  private cutoff(): number {
    return this.options.clock.now() - this.options.retentionDays() * dayMs;
  }

  private schedule(ms: number, callback: () => void): void {
    if (!this.running) return;
    this.timer = this.options.clock.setTimeout(() => {
      this.timer = null;
      callback();
    }, ms);
  }

  private run(): void {
    let cutoff: number;
    try {
      cutoff = this.cutoff();
    } catch (error) {
      this.options.logger.error({ err: String(error) }, "delivery log pruning failed");
      this.schedule(this.intervalMs, () => this.run());
      return;
    }
    this.runBatches(cutoff, 0);
  }

  private runBatches(cutoff: number, deletedSoFar: number): void {
    let deleted: number;
    try {
      deleted = pruneDeliveryBatch(this.options.db, cutoff, this.batchSize);
    } catch (error) {
      this.options.logger.error({ err: String(error) }, "delivery log pruning failed");
      this.schedule(this.intervalMs, () => this.run());
      return;
    }
    const total = deletedSoFar + deleted;
    if (deleted === this.batchSize) {
      // More to do: next batch on the next timer turn, not in this one.
      this.schedule(0, () => this.runBatches(cutoff, total));
      return;
    }
    if (total > 0) this.options.logger.info({ deliveries: total }, "pruned old deliveries from the delivery log");
    this.schedule(this.intervalMs, () => this.run());
  }
}
