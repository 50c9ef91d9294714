import type { Clock, Logger, TimerHandle } from "@/flows/runtime/ports";
import { TemplateError } from "@/flows/templates/errors";
import type { Db } from "../db/client";
import type { OutboundApi, OutboundApiCatalog } from "./catalog";
import type { ClaimedRow } from "./deliveryClaim";
import { deliveryStoreFor, type AttemptRow, type DeliveryStore, type FinishRow } from "./deliveryStore";
import { FrozenEvent } from "./events";
import type { HttpSender, OutboundResult } from "./httpSender";
import type { PayloadCache } from "./payloadCache";
import { getPublicUrl } from "../services/settings";
import { buildRequest } from "./request";
import { attemptError, judgeAttempt, type Verdict } from "./retryPolicy";

export interface DeliveryWorkerOptions {
  db: Db;
  catalog: OutboundApiCatalog;
  clock: Clock;
  sender: HttpSender;
  logger: Logger;
  /** Requests this worker has in flight per endpoint at most; 8. */
  concurrencyPerEndpoint?: number;
  /**
   * PostgreSQL, where several workers share the outbox: the most deliveries
   * leased on one endpoint by all workers together, enforced in the claim
   * (deliveryClaim.ts). By default enough for POOL_WORKERS_AT_FULL_SPEED workers to
   * lease a full queue each; set it lower to protect a CRM from the pool.
   */
  leaseCapPerEndpoint?: number;
  /** How often due retries are looked for when nothing wakes the worker; 1 s. */
  pollIntervalMs?: number;
  /** A lease outlives the time its deliveries may need by this much; 30 s. */
  leaseMarginMs?: number;
  random?: () => number;
  /** Payloads the outbox of this process just wrote; the rest are read from the database. */
  payloads?: PayloadCache;
}

type Claimed = ClaimedRow & { event: FrozenEvent };

interface Finished {
  api: OutboundApi;
  delivery: Claimed;
  result: OutboundResult;
  saved: () => void;
}

const RESPONSE_KEPT_BYTES = 4096;
const SAVE_DELAY_MAX_MS = 20;
/**
 * Batching, in units of an endpoint's concurrency ("rounds"). A commit costs
 * about as much as the rows it saves (WAL pages written), so results are
 * saved FLUSH_ROUNDS at a time (sooner when nothing else is in flight or the
 * leased queue is about to run dry), and each save tops the leased queue up
 * to LEASE_ROUNDS in the same commit, so a claim fetches a flush's worth.
 */
const LEASE_ROUNDS = 16;
const FLUSH_ROUNDS = 8;
/** The default lease cap per endpoint on PostgreSQL lets this many workers hold a full leased queue each. */
const POOL_WORKERS_AT_FULL_SPEED = 4;

/**
 * Sends pending deliveries. Deliveries are leased (status `in_flight`,
 * `lease_until` on the injected clock) in batches per endpoint before
 * their requests go out, at most `concurrencyPerEndpoint` at a time, and the
 * results are saved afterwards. A process that dies in between leaves leases
 * behind. On SQLite one process owns the database, so on start every lease
 * of the previous process is released; on PostgreSQL several workers share
 * the outbox, so a dead worker's leases are reclaimed by any worker once they
 * expire (the claim there skips rows another worker is claiming and enforces
 * the endpoint's lease cap across all of them: deliveryClaim.ts). Either way
 * the message goes out again with the same `webhook-id`. At-least-once; CRMs
 * de-duplicate by that id. The statements, per dialect: deliveryStore.ts.
 */
export class DeliveryWorker {
  private readonly inFlight = new Map<string, number>();
  /** Leased but not sent yet, per endpoint. */
  private readonly leased = new Map<string, Claimed[]>();
  /** Every delivery this worker holds a lease on (leased or in flight) → its `lease_until`, the lease's fence: released on stop. */
  private readonly owned = new Map<string, number>();
  private abort = new AbortController();
  private timer: TimerHandle | null = null;
  private timerDueAt = Number.POSITIVE_INFINITY;
  private running = false;
  /** Requests out right now, all endpoints. */
  private sending = 0;
  /** Done, result not saved yet. */
  private finished: Finished[] = [];
  private flushScheduled = false;
  /** Real time, not the injected clock: how long a result may wait in memory is a matter of batching, not of the schedule. */
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly cap: number;
  private readonly leaseCap: number;
  private readonly store: DeliveryStore;
  /** The worker's database work (claims, saves, releases) runs one transaction after another, never interleaved with itself. */
  private cycle: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: DeliveryWorkerOptions) {
    this.cap = options.concurrencyPerEndpoint ?? 8;
    this.leaseCap = options.leaseCapPerEndpoint ?? POOL_WORKERS_AT_FULL_SPEED * LEASE_ROUNDS * this.cap;
    this.store = deliveryStoreFor(options.db);
  }

  /** SQLite: releases what a previous process left in flight (at once, before this returns); then runs until `stop`. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.abort = new AbortController();
    if (!this.store.shared) {
      void this.store.run("releaseAll", [this.options.clock.now()]).then((released) => {
        if (released > 0) this.options.logger.warn({ deliveries: released }, "deliveries left in flight by the previous process are sent again");
      });
    }
    this.schedule(0);
  }

  /** Something was queued or a slot freed up: look again soon. */
  wake(): void {
    if (this.running) this.schedule(0);
  }

  /**
   * Stops claiming, saves the results already in, puts every delivery it
   * still holds back to pending and aborts the requests in flight. Await it
   * before the process exits.
   */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) this.options.clock.clearTimeout(this.timer);
    this.timer = null;
    // Results already in are saved first: a graceful stop sends nothing twice.
    await this.flush();
    const owned = [...this.owned];
    this.owned.clear();
    this.leased.clear();
    try {
      await this.serially(() =>
        this.store.transaction(async (tx) => {
          const now = this.options.clock.now();
          for (const [id, leaseUntil] of owned) await tx.run("release", [now, id, leaseUntil]);
        }),
      );
    } catch (error) {
      this.options.logger.error({ error: (error as Error).message, deliveries: owned.length }, "could not release leases on stop; they are retried when they expire");
    }
    this.abort.abort(new Error("shutdown"));
  }

  /** Tests and benchmarks: leases what is due now, sends up to each endpoint's limit and waits for the results; returns how many were sent. */
  async runOnce(): Promise<number> {
    const started = await this.claimAndSend();
    await Promise.all(started);
    return started.length;
  }

  /** Deliveries this worker holds a lease on right now (tests: no two workers ever hold the same one). */
  heldLeases(): string[] {
    return [...this.owned.keys()];
  }

  private schedule(delayMs: number): void {
    const dueAt = this.options.clock.now() + delayMs;
    if (this.timer && this.timerDueAt <= dueAt) return;
    if (this.timer) this.options.clock.clearTimeout(this.timer);
    this.timerDueAt = dueAt;
    this.timer = this.options.clock.setTimeout(() => this.tick(), delayMs);
  }

  private tick(): void {
    this.timer = null;
    this.timerDueAt = Number.POSITIVE_INFINITY;
    if (!this.running) return;
    // The sends settle (never reject) when their results are saved; runOnce() is what waits for them.
    this.claimAndSend().catch((error: unknown) => this.options.logger.error({ error: (error as Error).message }, "delivery worker tick failed"));
    this.schedule(this.options.pollIntervalMs ?? 1000);
  }

  /** One database transaction after the other, in call order (a claim and a save of this worker never overlap). */
  private serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.cycle.then(work, work);
    this.cycle = run.catch(() => {});
    return run;
  }

  /** Endpoints in id order: claims on several endpoints take their advisory locks in one order in every worker (no deadlock). */
  private sortedApis(apis: OutboundApi[]): OutboundApi[] {
    return [...apis].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  private async claimAndSend(): Promise<Promise<void>[]> {
    const apis = this.sortedApis(this.options.catalog.all());
    await this.serially(() =>
      this.store.transaction(async (tx) => {
        const now = this.options.clock.now();
        await this.dropStaleLeases(tx, now);
        await tx.run("reclaimExpiredLeases", [now, now]);
        await tx.run("expireStale", [now, now]);
        for (const api of apis) await this.lease(tx, api, now);
      }),
    );
    return apis.flatMap((api) => this.fill(api));
  }

  /** Tops up the endpoint's leased queue when it runs low (one claim for several deliveries). */
  private async lease(tx: DeliveryStore, api: OutboundApi, now: number): Promise<void> {
    const queue = this.leased.get(api.id) ?? [];
    if (!api.enabled || api.kind === "data_lookup") {
      // Disabled (by an admin or a 410): what this worker leased goes back to wait in the paused queue.
      for (const delivery of queue.splice(0)) await this.release(tx, delivery, now);
      return;
    }
    if (queue.length > (LEASE_ROUNDS - FLUSH_ROUNDS) * this.cap) return;
    const leaseUntil = now + LEASE_ROUNDS * api.config.timeout_ms + (this.options.leaseMarginMs ?? 30_000);
    const rows = await tx.claim({ apiId: api.id, now, leaseUntil, wanted: LEASE_ROUNDS * this.cap - queue.length, endpointCap: this.leaseCap });
    const unread = rows.filter((row) => !this.options.payloads?.get(row.messageId)).map((row) => row.messageId);
    const events = await this.readMessages(tx, unread);
    for (const row of rows) {
      this.owned.set(row.id, row.leaseUntil);
      queue.push({ ...row, event: this.options.payloads?.get(row.messageId) ?? (events.get(row.messageId) as FrozenEvent) });
    }
    this.leased.set(api.id, queue);
  }

  /** Payloads the cache does not hold (a restart, another process's outbox): one query per claim. */
  private async readMessages(tx: DeliveryStore, messageIds: string[]): Promise<Map<string, FrozenEvent>> {
    const events = new Map<string, FrozenEvent>();
    if (messageIds.length === 0) return events;
    const rows = await tx.rows<{ id: string; type: string; payload: string }>("messages", [JSON.stringify([...new Set(messageIds)])]);
    for (const row of rows) events.set(row.id, new FrozenEvent(row.type, row.payload));
    return events;
  }

  /** Leased deliveries whose lease would run out before they could finish are handed back rather than risk a double send. */
  private async dropStaleLeases(tx: DeliveryStore, now: number): Promise<void> {
    for (const [apiId, queue] of this.leased) {
      const timeout = this.options.catalog.get(apiId)?.config.timeout_ms ?? 0;
      const stale = queue.filter((delivery) => delivery.leaseUntil <= now + timeout);
      if (stale.length === 0) continue;
      this.leased.set(
        apiId,
        queue.filter((delivery) => !stale.includes(delivery)),
      );
      for (const delivery of stale) await this.release(tx, delivery, now);
    }
  }

  private async release(tx: DeliveryStore, delivery: Claimed, now: number): Promise<void> {
    this.owned.delete(delivery.id);
    await tx.run("release", [now, delivery.id, delivery.leaseUntil]);
  }

  /** Starts leased deliveries up to the endpoint's concurrency limit. */
  private fill(api: OutboundApi): Promise<void>[] {
    const queue = this.leased.get(api.id);
    if (queue && !this.options.catalog.get(api.id)?.enabled) {
      // Disabled meanwhile (a 410 in the last batch): hand the rest back to the paused queue.
      const handedBack = queue.splice(0);
      if (handedBack.length > 0) {
        this.serially(() =>
          this.store.transaction(async (tx) => {
            for (const delivery of handedBack) await this.release(tx, delivery, this.options.clock.now());
          }),
        ).catch((error: unknown) => this.options.logger.error({ error: (error as Error).message }, "could not hand leases back; they are retried when they expire"));
      }
      return [];
    }
    const started: Promise<void>[] = [];
    while (queue && queue.length > 0 && (this.inFlight.get(api.id) ?? 0) < this.cap) started.push(this.track(api, queue.shift() as Claimed));
    return started;
  }

  private track(api: OutboundApi, delivery: Claimed): Promise<void> {
    this.inFlight.set(api.id, (this.inFlight.get(api.id) ?? 0) + 1);
    this.sending++;
    return new Promise<void>((saved) => {
      this.send(api, delivery).then(
        (result) => this.complete({ api, delivery, result, saved }),
        (error: unknown) => {
          // A bug, not the CRM: logged, the slot freed, and the attempt counted as a retryable failure.
          this.options.logger.error({ deliveryId: delivery.id, error: (error as Error).message }, "delivery failed unexpectedly");
          const failed: OutboundResult = { startedAt: this.options.clock.now(), latencyMs: 0, response: null, error: { class: "other", message: (error as Error).message } };
          this.complete({ api, delivery, result: failed, saved });
        },
      );
    });
  }

  /** A request is done: its slot goes to the next leased delivery at once (no database work); the result is saved with others. */
  private complete(item: Finished): void {
    this.sending--;
    this.inFlight.set(item.api.id, (this.inFlight.get(item.api.id) ?? 1) - 1);
    this.finished.push(item);
    if (this.running) void this.fill(item.api);
    this.scheduleFlush();
  }

  private async send(api: OutboundApi, delivery: Claimed): Promise<OutboundResult> {
    const { clock, sender, db } = this.options;
    // The public address is read per message, and only when a body template renders a call record (the one place it is
    // used): a change on the Settings page applies to the next one, and a standard payload costs no settings read.
    const rendersCallRecord = delivery.event.type === "call.ended" && "body_template" in api.config && api.config.body_template !== null;
    const publicUrl = rendersCallRecord ? await getPublicUrl(db) : "";
    try {
      const request = buildRequest(api, delivery.event, delivery.messageId, clock.now(), { publicUrl: () => publicUrl });
      return sender.send(request, { signal: this.abort.signal, maxBodyBytes: RESPONSE_KEPT_BYTES });
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      return { startedAt: clock.now(), latencyMs: 0, response: null, error: { class: "template", message: error.message } };
    }
  }

  /**
   * Results are saved in batches, in one transaction with the top-up of the
   * endpoints' leased queues: as soon as nothing else is in flight, a
   * flush's worth of results waits, a leased queue is about to run dry, or
   * the oldest unsaved result has waited SAVE_DELAY_MAX_MS (a slow CRM with
   * requests still out). A backlog drains at the endpoints' pace, not the
   * disk's or the poll interval's. Until saved, a result is only in memory:
   * a crash then sends it again (at-least-once, same webhook-id).
   */
  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      if (this.finished.length === 0) return;
      const queueLow = this.finished.some((item) => (this.leased.get(item.api.id)?.length ?? 0) < this.cap);
      if (this.sending === 0 || this.finished.length >= FLUSH_ROUNDS * this.cap || queueLow || !this.running) void this.flush();
      else this.flushTimer ??= setTimeout(() => {
        this.flushTimer = null;
        void this.flush();
      }, SAVE_DELAY_MAX_MS);
    });
  }

  private async flush(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    const batch = this.finished;
    this.finished = [];
    if (batch.length === 0) return;
    for (const item of batch) this.owned.delete(item.delivery.id);
    const apis = this.sortedApis([...new Set(batch.map((item) => item.api.id))].map((id) => this.options.catalog.get(id)).filter((api) => api !== undefined));
    let verdicts: Array<Verdict | null> = [];
    try {
      verdicts = await this.serially(() =>
        this.store.transaction(async (tx) => {
          const now = this.options.clock.now();
          const judged = batch.map((item) => this.judge(item, now));
          const released = judged.flatMap(({ item, verdict }) => (verdict.kind === "released" ? [item.delivery] : []));
          for (const delivery of released) await tx.run("release", [now, delivery.id, delivery.leaseUntil]);
          const finished = judged.filter(({ verdict }) => verdict.kind !== "released");
          const saved = new Set(await tx.finish(finished.map(({ row }) => row)));
          await tx.insertAttempts(finished.filter(({ item }) => saved.has(item.delivery.id)).map(({ attempt }) => attempt));
          for (const api of new Set(finished.filter(({ item, verdict }) => verdict.kind === "gone" && saved.has(item.delivery.id)).map(({ item }) => item.api.id))) {
            await tx.run("disableGone", [now, api]);
          }
          if (this.running) for (const api of apis) await this.lease(tx, api, now);
          // Null: the delivery was no longer ours (released by a stop, or its lease expired and another worker took it).
          return judged.map(({ item, verdict }) => (verdict.kind === "released" || saved.has(item.delivery.id) ? verdict : null));
        }),
      );
    } catch (error) {
      // Leases stay; they expire and the messages go out again.
      this.options.logger.error({ error: (error as Error).message, deliveries: batch.length }, "could not save delivery results");
    }
    for (const [index, item] of batch.entries()) {
      this.report(item, verdicts[index] ?? null);
      item.saved();
    }
    if (this.running) for (const api of apis) void this.fill(api);
  }

  /** What one result means, and the rows that save it (fenced by the lease, deliveryStore.ts). */
  private judge(item: Finished, now: number): { item: Finished; verdict: Verdict; row: FinishRow; attempt: AttemptRow } {
    const { api, delivery, result } = item;
    const attemptNo = delivery.attempts + 1;
    const retry = "retry" in api.config ? api.config.retry : null;
    const verdict: Verdict =
      result.error?.class === "template" ? { kind: "dead" } : judgeAttempt(result, { attemptNo, retry, now, expiresAt: delivery.expiresAt, random: this.options.random });
    const error = attemptError(result);
    const status = verdict.kind === "retry" || verdict.kind === "gone" || verdict.kind === "released" ? "pending" : verdict.kind;
    const nextAttemptAt = verdict.kind === "retry" ? verdict.nextAttemptAt : now;
    const statusCode = result.response?.status ?? null;
    return {
      item,
      verdict,
      row: { id: delivery.id, leaseUntil: delivery.leaseUntil, status, attempts: attemptNo, nextAttemptAt, statusCode, errorClass: error?.class ?? null, error: error?.message ?? null, now },
      attempt: [delivery.id, attemptNo, result.startedAt, Math.round(result.latencyMs), statusCode, error?.class ?? null, error?.message ?? null, result.response?.body ?? null],
    };
  }

  private report({ api, delivery, result }: Finished, verdict: Verdict | null): void {
    if (verdict?.kind === "gone") {
      this.options.logger.warn({ outboundApiId: api.id, deliveryId: delivery.id }, "the CRM answered 410 Gone: endpoint disabled, its queue paused");
    } else if (verdict?.kind === "dead" || verdict?.kind === "expired") {
      const error = attemptError(result);
      this.options.logger.warn(
        { outboundApiId: api.id, deliveryId: delivery.id, messageId: delivery.messageId, errorClass: error?.class, attempts: delivery.attempts + 1 },
        `delivery ${verdict.kind}`,
      );
    }
  }
}
