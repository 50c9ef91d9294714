import type { Clock, Logger, TimerHandle } from "@/flows/runtime/ports";
import { TemplateError } from "@/flows/templates/errors";
import type { Statement } from "better-sqlite3";
import type { Db } from "../db/client";
import type { OutboundApi, OutboundApiCatalog } from "./catalog";
import { sqliteClaimSql } from "./deliveryClaim";
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
  /** Requests in flight per endpoint at most; 8. */
  concurrencyPerEndpoint?: number;
  /** How often due retries are looked for when nothing wakes the worker; 1 s. */
  pollIntervalMs?: number;
  /** A lease outlives the time its deliveries may need by this much; 30 s. */
  leaseMarginMs?: number;
  random?: () => number;
  /** Payloads the outbox of this process just wrote; the rest are read from the database. */
  payloads?: PayloadCache;
}

interface Claimed {
  id: string;
  messageId: string;
  attempts: number;
  expiresAt: number | null;
  leaseUntil: number;
  event: FrozenEvent;
}

/** delivery_id, attempt_no, started_at, latency_ms, status_code, error_class, error, response_body */
type AttemptRow = [string, number, number, number, number | null, string | null, string | null, string | null];

interface Finished {
  api: OutboundApi;
  delivery: Claimed;
  result: OutboundResult;
  saved: () => void;
}

const RESPONSE_KEPT_BYTES = 4096;
const ATTEMPTS_PER_INSERT = 32;
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

/**
 * Sends pending deliveries. Deliveries are leased (status `in_flight`,
 * `lease_until` on the injected clock) in batches per endpoint before
 * their requests go out, at most `concurrencyPerEndpoint` at a time, and the
 * results are saved afterwards. A process that dies in between leaves leases
 * behind: on start every lease of the previous process is released (one
 * process owns the database), and expired leases are reclaimed — the message
 * goes out again with the same `webhook-id`. At-least-once; CRMs
 * de-duplicate by that id.
 */
export class DeliveryWorker {
  private readonly inFlight = new Map<string, number>();
  /** Leased but not sent yet, per endpoint. */
  private readonly leased = new Map<string, Claimed[]>();
  /** Every delivery this worker holds a lease on (leased or in flight): released on stop. */
  private readonly owned = new Set<string>();
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
  private readonly statements;
  private readonly insertAttemptStatements = new Map<number, Statement>();

  constructor(private readonly options: DeliveryWorkerOptions) {
    this.cap = options.concurrencyPerEndpoint ?? 8;
    const sqlite = options.db.$client;
    this.statements = {
      claim: sqlite.prepare(sqliteClaimSql),
      message: sqlite.prepare(`select event_type as type, payload from integration_messages where id = ?`),
      reclaimExpiredLeases: sqlite.prepare(`update deliveries set status = 'pending', lease_until = null, updated_at = ? where status = 'in_flight' and lease_until <= ?`),
      releaseAll: sqlite.prepare(`update deliveries set status = 'pending', lease_until = null, updated_at = ? where status = 'in_flight'`),
      release: sqlite.prepare(`update deliveries set status = 'pending', lease_until = null, updated_at = ? where id = ? and status = 'in_flight'`),
      expireStale: sqlite.prepare(
        `update deliveries set status = 'expired', last_error_class = 'expired', updated_at = ? where status = 'pending' and expires_at is not null and expires_at <= ?`,
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
   * Stops claiming, aborts requests in flight and puts every delivery it
   * holds back to pending at once (synchronously: the process may exit right after).
   */
  stop(): void {
    this.running = false;
    if (this.timer) this.options.clock.clearTimeout(this.timer);
    this.timer = null;
    // Results already in are saved first: a graceful stop sends nothing twice.
    this.flush();
    const now = this.options.clock.now();
    for (const id of this.owned) this.statements.release.run(now, id);
    this.owned.clear();
    this.leased.clear();
    this.abort.abort(new Error("shutdown"));
  }

  /** Tests and benchmarks: leases what is due now, sends up to each endpoint's limit and waits for the results; returns how many were sent. */
  async runOnce(): Promise<number> {
    const started = this.claimAndSend();
    await Promise.all(started);
    return started.length;
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
      // The sends settle (never reject) when their results are saved; runOnce() is what waits for them.
      void this.claimAndSend();
    } catch (error) {
      this.options.logger.error({ error: (error as Error).message }, "delivery worker tick failed");
    }
    this.schedule(this.options.pollIntervalMs ?? 1000);
  }

  private claimAndSend(): Promise<void>[] {
    const { clock, catalog, db } = this.options;
    const apis = catalog.all();
    db.$client.transaction(() => {
      const now = clock.now();
      this.dropStaleLeases(now);
      this.statements.reclaimExpiredLeases.run(now, now);
      this.statements.expireStale.run(now, now);
      for (const api of apis) this.lease(api, now);
    })();
    return apis.flatMap((api) => this.fill(api));
  }

  /** Tops up the endpoint's leased queue when it runs low (one claim for several deliveries). */
  private lease(api: OutboundApi, now: number): void {
    const queue = this.leased.get(api.id) ?? [];
    if (!api.enabled || api.kind === "data_lookup") {
      // Disabled (by an admin or a 410): what this worker leased goes back to wait in the paused queue.
      for (const delivery of queue.splice(0)) this.release(delivery, now);
      return;
    }
    if (queue.length > (LEASE_ROUNDS - FLUSH_ROUNDS) * this.cap) return;
    const rounds = LEASE_ROUNDS;
    const leaseUntil = now + rounds * api.config.timeout_ms + (this.options.leaseMarginMs ?? 30_000);
    const rows = this.statements.claim.all(leaseUntil, now, api.id, now, rounds * this.cap - queue.length) as Claimed[];
    for (const row of rows) {
      row.event = this.options.payloads?.get(row.messageId) ?? this.readMessage(row.messageId);
      this.owned.add(row.id);
      queue.push(row);
    }
    this.leased.set(api.id, queue);
  }

  private readMessage(messageId: string): FrozenEvent {
    const { type, payload } = this.statements.message.get(messageId) as { type: string; payload: string };
    return new FrozenEvent(type, payload);
  }

  /** Leased deliveries whose lease would run out before they could finish are handed back rather than risk a double send. */
  private dropStaleLeases(now: number): void {
    for (const [apiId, queue] of this.leased) {
      const timeout = this.options.catalog.get(apiId)?.config.timeout_ms ?? 0;
      const keep = queue.filter((delivery) => delivery.leaseUntil > now + timeout);
      for (const delivery of queue) if (!keep.includes(delivery)) this.release(delivery, now);
      this.leased.set(apiId, keep);
    }
  }

  private release(delivery: Claimed, now: number): void {
    this.statements.release.run(now, delivery.id);
    this.owned.delete(delivery.id);
  }

  /** Starts leased deliveries up to the endpoint's concurrency limit. */
  private fill(api: OutboundApi): Promise<void>[] {
    const queue = this.leased.get(api.id);
    if (queue && !this.options.catalog.get(api.id)?.enabled) {
      // Disabled meanwhile (a 410 in the last batch): hand the rest back to the paused queue.
      for (const delivery of queue.splice(0)) this.release(delivery, this.options.clock.now());
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
    // The public address is read per message: a change on the Settings page applies to the next one.
    const publicUrl = await getPublicUrl(db);
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
      if (this.sending === 0 || this.finished.length >= FLUSH_ROUNDS * this.cap || queueLow || !this.running) this.flush();
      else this.flushTimer ??= setTimeout(() => {
        this.flushTimer = null;
        this.flush();
      }, SAVE_DELAY_MAX_MS);
    });
  }

  private flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    const batch = this.finished;
    this.finished = [];
    if (batch.length === 0) return;
    const now = this.options.clock.now();
    for (const item of batch) this.owned.delete(item.delivery.id);
    const apis = [...new Set(batch.map((item) => item.api.id))].map((id) => this.options.catalog.get(id)).filter((api) => api !== undefined);
    let verdicts: Array<Verdict | null> = [];
    try {
      verdicts = this.options.db.$client.transaction(() => {
        const attempts: AttemptRow[] = [];
        const saved = batch.map((item) => this.save(item, now, attempts));
        this.insertAttempts(attempts);
        if (this.running) for (const api of apis) this.lease(api, now);
        return saved;
      })();
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

  /** The batch's attempt rows in multi-row inserts (one statement per ATTEMPTS_PER_INSERT rows, prepared once per row count). */
  private insertAttempts(rows: AttemptRow[]): void {
    for (let start = 0; start < rows.length; start += ATTEMPTS_PER_INSERT) {
      const chunk = rows.slice(start, start + ATTEMPTS_PER_INSERT);
      let statement = this.insertAttemptStatements.get(chunk.length);
      if (!statement) {
        statement = this.options.db.$client.prepare(
          `insert into delivery_attempts (delivery_id, attempt_no, started_at, latency_ms, status_code, error_class, error, response_body) values ${Array(chunk.length).fill("(?, ?, ?, ?, ?, ?, ?, ?)").join(", ")}`,
        );
        this.insertAttemptStatements.set(chunk.length, statement);
      }
      statement.run(chunk.flat());
    }
  }

  /** One result, inside the batch's transaction. Returns null when the delivery was no longer ours (released by a stop). */
  private save({ api, delivery, result }: Finished, now: number, attempts: AttemptRow[]): Verdict | null {
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
    attempts.push([delivery.id, attemptNo, result.startedAt, Math.round(result.latencyMs), statusCode, error?.class ?? null, error?.message ?? null, result.response?.body ?? null]);
    if (verdict.kind === "gone") statements.disableGone.run(now, api.id);
    return verdict;
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
