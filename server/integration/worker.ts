import type { Clock, Logger, TimerHandle } from "@/flows/runtime/ports";
import { TemplateError } from "@/flows/templates/errors";
import type { Db } from "../db/client";
import type { OutboundApi, OutboundApiCatalog } from "./catalog";
import { FrozenEvent } from "./events";
import type { HttpSender, OutboundResult } from "./httpSender";
import { buildRequest } from "./request";
import { attemptError, judgeAttempt, type Verdict } from "./retryPolicy";

export interface DeliveryWorkerOptions {
  db: Db;
  catalog: OutboundApiCatalog;
  clock: Clock;
  sender: HttpSender;
  logger: Logger;
  /** Requests in flight per endpoint at most; 8. */
  concurrencyPerEndpoint?: number;
  /** How often due retries are looked for when nothing wakes the worker; 1 s. */
  pollIntervalMs?: number;
  /** A claim's lease outlives the request timeout by this much; 30 s. */
  leaseMarginMs?: number;
  random?: () => number;
}

interface Claimed {
  id: string;
  messageId: string;
  eventType: string;
  attempts: number;
  expiresAt: number | null;
}

interface Finished {
  api: OutboundApi;
  delivery: Claimed;
  result: OutboundResult;
  saved: () => void;
}

const RESPONSE_KEPT_BYTES = 4096;

/**
 * Sends pending deliveries. A delivery is claimed with a lease (status
 * `in_flight`, `lease_until` on the injected clock) before its request goes
 * out, and its result is saved in one transaction afterwards. A process that
 * dies in between leaves the lease behind: on start every lease of the
 * previous process is released (one process owns the database), and expired
 * leases are reclaimed — the message goes out again with the same
 * `webhook-id`. At-least-once; CRMs de-duplicate by that id.
 */
export class DeliveryWorker {
  private readonly inFlight = new Map<string, number>();
  private readonly owned = new Set<string>();
  private readonly sends = new Set<Promise<void>>();
  private abort = new AbortController();
  private timer: TimerHandle | null = null;
  private timerDueAt = Number.POSITIVE_INFINITY;
  private running = false;
  private finished: Finished[] = [];
  private flushScheduled = false;
  private readonly cap: number;
  private readonly statements;

  constructor(private readonly options: DeliveryWorkerOptions) {
    this.cap = options.concurrencyPerEndpoint ?? 8;
    const sqlite = options.db.$client;
    this.statements = {
      claim: sqlite.prepare(
        `update deliveries set status = 'in_flight', lease_until = ?, updated_at = ?
         where id in (select id from deliveries where outbound_api_id = ? and status = 'pending' and next_attempt_at <= ? order by next_attempt_at limit ?)
         returning id, message_id as messageId, attempts, expires_at as expiresAt,
           (select event_type from integration_messages m where m.id = message_id) as eventType`,
      ),
      payload: sqlite.prepare(`select payload from integration_messages where id = ?`).pluck(),
      reclaimExpiredLeases: sqlite.prepare(`update deliveries set status = 'pending', lease_until = null, updated_at = ? where status = 'in_flight' and lease_until <= ?`),
      releaseAll: sqlite.prepare(`update deliveries set status = 'pending', lease_until = null, updated_at = ? where status = 'in_flight'`),
      release: sqlite.prepare(`update deliveries set status = 'pending', lease_until = null, updated_at = ? where id = ? and status = 'in_flight'`),
      expireStale: sqlite.prepare(
        `update deliveries set status = 'expired', last_error_class = 'expired', updated_at = ? where status = 'pending' and expires_at is not null and expires_at <= ?`,
      ),
      insertAttempt: sqlite.prepare(
        `insert into delivery_attempts (delivery_id, attempt_no, started_at, latency_ms, status_code, error_class, error, response_body) values (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      finish: sqlite.prepare(
        `update deliveries set status = ?, attempts = ?, next_attempt_at = ?, lease_until = null, last_status_code = ?, last_error_class = ?, last_error = ?, updated_at = ?
         where id = ? and status = 'in_flight'`,
      ),
      disableGone: sqlite.prepare(`update outbound_apis set enabled = 0, disabled_reason = 'gone', updated_at = ? where id = ?`),
    };
  }

  /** Releases what a previous process left in flight, then runs until `stop`. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.abort = new AbortController();
    const released = this.statements.releaseAll.run(this.options.clock.now()).changes;
    if (released > 0) this.options.logger.warn({ deliveries: released }, "deliveries left in flight by the previous process are sent again");
    this.schedule(0);
  }

  /** Something was queued or a slot freed up: look again soon. */
  wake(): void {
    if (this.running) this.schedule(0);
  }

  /**
   * Stops claiming, aborts requests in flight and puts their deliveries back
   * to pending at once (synchronously: the process may exit right after).
   */
  stop(): void {
    this.running = false;
    if (this.timer) this.options.clock.clearTimeout(this.timer);
    this.timer = null;
    const now = this.options.clock.now();
    for (const id of this.owned) this.statements.release.run(now, id);
    this.abort.abort(new Error("shutdown"));
  }

  /** Tests and benchmarks: claims what is due now, sends it and waits for the results; returns how many were sent. */
  async runOnce(): Promise<number> {
    const started = this.claimAndSend();
    await Promise.all(started);
    return started.length;
  }

  /** Waits for every request in flight to be settled and saved. */
  async idle(): Promise<void> {
    while (this.sends.size > 0) await Promise.all([...this.sends]);
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
    try {
      this.claimAndSend();
    } catch (error) {
      this.options.logger.error({ error: (error as Error).message }, "delivery worker tick failed");
    }
    this.schedule(this.options.pollIntervalMs ?? 1000);
  }

  private claimAndSend(): Promise<void>[] {
    const { clock, catalog } = this.options;
    const now = clock.now();
    this.statements.reclaimExpiredLeases.run(now, now);
    this.statements.expireStale.run(now, now);
    return catalog.all().flatMap((api) => this.claimFor(api, now));
  }

  /** Fills the endpoint's free slots with due deliveries. */
  private claimFor(api: OutboundApi, now: number): Promise<void>[] {
    return this.claimRows(api, now).map((delivery) => this.track(api, delivery));
  }

  /** Leases up to the endpoint's free slots (the caller starts the sends, after its transaction commits). */
  private claimRows(api: OutboundApi, now: number): Claimed[] {
    if (!api.enabled || api.kind === "data_lookup") return [];
    const free = this.cap - (this.inFlight.get(api.id) ?? 0);
    if (free <= 0) return [];
    const leaseUntil = now + api.config.timeout_ms + (this.options.leaseMarginMs ?? 30_000);
    return this.statements.claim.all(leaseUntil, now, api.id, now, free) as Claimed[];
  }

  private track(api: OutboundApi, delivery: Claimed): Promise<void> {
    this.owned.add(delivery.id);
    this.inFlight.set(api.id, (this.inFlight.get(api.id) ?? 0) + 1);
    const send = this.send(api, delivery)
      .then((result) => new Promise<void>((saved) => this.finished.push({ api, delivery, result, saved }) && this.scheduleFlush()))
      .catch((error: unknown) => this.options.logger.error({ deliveryId: delivery.id, error: (error as Error).message }, "delivery failed unexpectedly"))
      .finally(() => this.sends.delete(send));
    this.sends.add(send);
    return send;
  }

  private async send(api: OutboundApi, delivery: Claimed): Promise<OutboundResult> {
    const { clock, sender } = this.options;
    const event = new FrozenEvent(delivery.eventType, this.statements.payload.get(delivery.messageId) as string);
    try {
      const request = buildRequest(api, event, delivery.messageId, clock.now());
      return await sender.send(request, { signal: this.abort.signal, maxBodyBytes: RESPONSE_KEPT_BYTES });
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      return { startedAt: clock.now(), latencyMs: 0, response: null, error: { class: "template", message: error.message } };
    }
  }

  /**
   * Results are saved in batches: everything that finished in one turn of the
   * event loop shares one transaction, then the freed slots are refilled at
   * once — a backlog drains at the endpoints' pace, not the poll interval's.
   */
  private scheduleFlush(): true {
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
    return true;
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.finished;
    this.finished = [];
    const now = this.options.clock.now();
    for (const item of batch) {
      this.owned.delete(item.delivery.id);
      this.inFlight.set(item.api.id, (this.inFlight.get(item.api.id) ?? 1) - 1);
    }
    let verdicts: Array<Verdict | null> = [];
    let refills: Array<{ api: OutboundApi; rows: Claimed[] }> = [];
    try {
      // Results and the refill of the freed slots share one commit.
      [verdicts, refills] = this.options.db.$client.transaction(() => [batch.map((item) => this.save(item, now)), this.refill(batch, now)] as const)();
    } catch (error) {
      // Leases stay; they expire and the messages go out again.
      this.options.logger.error({ error: (error as Error).message, deliveries: batch.length }, "could not save delivery results");
    }
    for (const [index, item] of batch.entries()) {
      this.report(item, verdicts[index] ?? null);
      item.saved();
    }
    for (const { api, rows } of refills) for (const delivery of rows) this.track(api, delivery);
  }

  private refill(batch: Finished[], now: number): Array<{ api: OutboundApi; rows: Claimed[] }> {
    if (!this.running) return [];
    const apis = [...new Set(batch.map((item) => item.api.id))].map((id) => this.options.catalog.get(id)).filter((api) => api !== undefined);
    return apis.map((api) => ({ api, rows: this.claimRows(api, now) }));
  }

  /** One result, inside the batch's transaction. Returns null when the delivery was no longer ours (released by a stop). */
  private save({ api, delivery, result }: Finished, now: number): Verdict | null {
    const { statements } = this;
    const attemptNo = delivery.attempts + 1;
    const retry = "retry" in api.config ? api.config.retry : null;
    const verdict: Verdict =
      result.error?.class === "template" ? { kind: "dead" } : judgeAttempt(result, { attemptNo, retry, now, expiresAt: delivery.expiresAt, random: this.options.random });
    if (verdict.kind === "released") {
      statements.release.run(now, delivery.id);
      return verdict;
    }
    const error = attemptError(result);
    const status = verdict.kind === "retry" || verdict.kind === "gone" ? "pending" : verdict.kind;
    const nextAttemptAt = verdict.kind === "retry" ? verdict.nextAttemptAt : now;
    const statusCode = result.response?.status ?? null;
    const updated = statements.finish.run(status, attemptNo, nextAttemptAt, statusCode, error?.class ?? null, error?.message ?? null, now, delivery.id);
    if (updated.changes === 0) return null;
    statements.insertAttempt.run(delivery.id, attemptNo, result.startedAt, Math.round(result.latencyMs), statusCode, error?.class ?? null, error?.message ?? null, result.response?.body ?? null);
    if (verdict.kind === "gone") statements.disableGone.run(now, api.id);
    return verdict;
  }

  private report({ api, delivery, result }: Finished, verdict: Verdict | null): void {
    if (verdict?.kind === "gone") {
      this.options.logger.warn({ outboundApiId: api.id, deliveryId: delivery.id }, "the CRM answered 410 Gone: endpoint disabled, its queue paused");
      this.options.catalog.invalidate();
    } else if (verdict?.kind === "dead" || verdict?.kind === "expired") {
      const error = attemptError(result);
      this.options.logger.warn(
        { outboundApiId: api.id, deliveryId: delivery.id, messageId: delivery.messageId, errorClass: error?.class, attempts: delivery.attempts + 1 },
        `delivery ${verdict.kind}`,
      );
    }
  }
}
