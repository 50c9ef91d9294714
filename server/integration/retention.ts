import { and, eq, inArray, lt, notExists } from "drizzle-orm";
import type { Clock, Logger, TimerHandle } from "@/flows/runtime/ports";
import type { Db } from "../db/client";
import { transaction } from "../db/transaction";
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
export async function pruneDeliveryBatch(db: Db, cutoff: number, batchSize: number): Promise<number> {
  return transaction(db, async (tx) => {
    const batch = await tx
      .select({ id: deliveries.id, messageId: deliveries.messageId })
      .from(deliveries)
      .where(and(inArray(deliveries.status, prunableStatuses), lt(deliveries.updatedAt, cutoff)))
      .limit(batchSize);
    if (batch.length === 0) return 0;
    const ids = batch.map((d) => d.id);
    const messageIds = [...new Set(batch.map((d) => d.messageId))];
    await tx.delete(deliveryAttempts).where(inArray(deliveryAttempts.deliveryId, ids));
    await tx.delete(deliveries).where(inArray(deliveries.id, ids));
    // A message still has a delivery to another endpoint (maybe pending or dead): it stays.
    await tx
      .delete(integrationMessages)
      .where(
        and(
          inArray(integrationMessages.id, messageIds),
          notExists(tx.select({ one: deliveries.id }).from(deliveries).where(eq(deliveries.messageId, integrationMessages.id))),
        ),
      );
    return batch.length;
  });
}

export interface DeliveryPrunerOptions {
  db: Db;
  clock: Clock;
  logger: Logger;
  /** Read at every run, so a change on the Settings page applies at the next run. */
  retentionDays: () => Promise<number>;
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
    this.schedule(this.options.firstRunDelayMs ?? 60 * 1000, () => void this.run());
  }

  stop(): void {
    this.running = false;
    if (this.timer) this.options.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  /** Prunes everything due now, batch after batch (tests, or a manual run). Returns the number of deliveries deleted. */
  async pruneAll(): Promise<number> {
    const cutoff = await this.cutoff();
    let total = 0;
    for (let n = await pruneDeliveryBatch(this.options.db, cutoff, this.batchSize); n > 0; n = await pruneDeliveryBatch(this.options.db, cutoff, this.batchSize)) {
      total += n;
      if (n < this.batchSize) break;
    }
    return total;
  }

  private async cutoff(): Promise<number> {
    return this.options.clock.now() - (await this.options.retentionDays()) * dayMs;
  }

  private schedule(ms: number, callback: () => void): void {
    if (!this.running) return;
    this.timer = this.options.clock.setTimeout(() => {
      this.timer = null;
      callback();
    }, ms);
  }

  private async run(): Promise<void> {
    let cutoff: number;
    try {
      cutoff = await this.cutoff();
    } catch (error) {
      this.options.logger.error({ err: String(error) }, "delivery log pruning failed");
      this.schedule(this.intervalMs, () => void this.run());
      return;
    }
    await this.runBatches(cutoff, 0);
  }

  private async runBatches(cutoff: number, deletedSoFar: number): Promise<void> {
    let deleted: number;
    try {
      deleted = await pruneDeliveryBatch(this.options.db, cutoff, this.batchSize);
    } catch (error) {
      this.options.logger.error({ err: String(error) }, "delivery log pruning failed");
      this.schedule(this.intervalMs, () => void this.run());
      return;
    }
    const total = deletedSoFar + deleted;
    if (deleted === this.batchSize) {
      // More to do: next batch on the next timer turn, not in this one.
      this.schedule(0, () => void this.runBatches(cutoff, total));
      return;
    }
    if (total > 0) this.options.logger.info({ deliveries: total }, "pruned old deliveries from the delivery log");
    this.schedule(this.intervalMs, () => void this.run());
  }
}
