import type { Clock, Logger, TimerHandle } from "@/flows/runtime/ports";
import { TemplateError } from "@/flows/templates/errors";
import type { Db } from "../db/client";
import type { PgListener } from "../db/pgListener";
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
  /**
   * How often due deliveries are looked for when nothing wakes the worker; 1 s. New deliveries wake it at once
   * (this process's outbox; on PostgreSQL any process's, by NOTIFY), so the poll finds retries falling due and is
   * the safety net for a lost notification.
   */
  pollIntervalMs?: number;
  /**
   * How long a claim or a renewal holds a delivery; 20 s. The worker renews every lease it holds LEASE_RENEWALS
   * times per lease, however long its requests take, so a worker that dies holds its deliveries this long at most.
   */
  leaseMs?: number;
  random?: () => number;
  /** Payloads the outbox of this process just wrote; the rest are read from the database. */
  payloads?: PayloadCache;
}

/** A delivery this worker leased; `leaseUntil` moves with each renewal (it is the fence of the delivery's save). */
type Claimed = ClaimedRow & { apiId: string; event: FrozenEvent; sending: boolean };

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
export const DEFAULT_LEASE_MS = 20_000;
/**
 * Renewal rounds per lease. A lease with less than one round left that could not be renewed is given up (its
 * request aborted): after two failed rounds in a row, a quarter of the lease before it runs out — the margin
 * for the clocks of two workers' machines to disagree.
 */
const LEASE_RENEWALS = 4;

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
 *
 * Leases are short (`leaseMs`) and renewed while held, on both dialects (the
 * same code; on SQLite it also keeps the worker's own claim from reclaiming a
 * slow request's lease): one statement per round for every lease the worker
 * holds, fenced like a save, so a lease that ran out or was taken over is not
 * extended back — it is forgotten, and a request already out for it finishes
 * unsaved. A worker that cannot renew (database unreachable) gives its leases
 * up before they run out: once one has less than a renewal round left, it
 * aborts every request it has out and forgets those deliveries and the
 * expiring ones (their results are not saved), so it never sends past a lease
 * that another worker may claim next. On PostgreSQL the worker also listens
 * for new deliveries (`deliveries_due`) and claims at once.
 */
export class DeliveryWorker {
  private readonly inFlight = new Map<string, number>();
  /** Leased but not sent yet, per endpoint. */
  private readonly leased = new Map<string, Claimed[]>();
  /** Every delivery this worker holds a lease on (leased, in flight, or finished and not saved yet): renewed, released on stop. */
  private readonly owned = new Map<string, Claimed>();
  private renewTimer: TimerHandle | null = null;
  private renewing = false;
  private readonly leaseMs: number;
  private readonly renewEveryMs: number;
  /** PostgreSQL: the LISTEN for new deliveries while running (`listening`: being set up). */
  private dueListener: PgListener | null = null;
  private listening = false;
  /** A claim is queued and has not begun: another wake-up needs no claim of its own, that one will see the rows. */
  private claimWaiting = false;
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
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.renewEveryMs = this.leaseMs / LEASE_RENEWALS;
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
    this.listenForDue();
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
    const listener = this.dueListener;
    this.dueListener = null;
    await listener?.close();
    // Results already in are saved first: a graceful stop sends nothing twice.
    await this.flush();
    if (this.renewTimer) this.options.clock.clearTimeout(this.renewTimer);
    this.renewTimer = null;
    const owned = [...this.owned.values()];
    this.owned.clear();
    this.leased.clear();
    try {
      await this.serially(() =>
        this.store.transaction(async (tx) => {
          const now = this.options.clock.now();
          for (const delivery of owned) await tx.run("release", [now, delivery.id, delivery.leaseUntil]);
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

  /** Tests: drops the LISTEN connection as a network failure would (PgListener listens again a second later). */
  breakListenConnectionForTests(): void {
    this.dueListener?.breakConnectionForTests();
  }

  /** PostgreSQL: LISTEN for new deliveries; a LISTEN that could not be set up is tried again at the next poll. */
  private listenForDue(): void {
    if (!this.store.shared || this.dueListener || this.listening) return;
    this.listening = true;
    this.store.listenForDue(() => this.wake()).then(
      (listener) => {
        this.listening = false;
        if (this.running) this.dueListener = listener;
        else void listener?.close();
      },
      (error: unknown) => {
        this.listening = false;
        this.options.logger.warn({ error: (error as Error).message }, "not listening for new deliveries; polling until it can");
      },
    );
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
    this.listenForDue();
    // A claim still waiting for its turn will see whatever woke this tick: one waiting claim at most, however often woken.
    if (!this.claimWaiting) {
      this.claimWaiting = true;
      // The sends settle (never reject) when their results are saved; runOnce() is what waits for them.
      this.claimAndSend(() => (this.claimWaiting = false)).catch((error: unknown) => {
        this.claimWaiting = false;
        this.options.logger.error({ error: (error as Error).message }, "delivery worker tick failed");
      });
    }
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

  private async claimAndSend(begun: () => void = () => {}): Promise<Promise<void>[]> {
    const apis = this.sortedApis(this.options.catalog.all());
    await this.serially(() => {
      begun();
      return this.store.transaction(async (tx) => {
        const now = this.options.clock.now();
        // Before reclaiming expired leases: this worker's own that are about to run out are given up first, never claimed again while their requests are out.
        this.giveUpExpiringLeases(now);
        await tx.run("reclaimExpiredLeases", [now, now]);
        await tx.run("expireStale", [now, now]);
        for (const api of apis) await this.lease(tx, api, now);
      });
    });
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
    const rows = await tx.claim({ apiId: api.id, now, leaseUntil: now + this.leaseMs, wanted: LEASE_ROUNDS * this.cap - queue.length, endpointCap: this.leaseCap });
    const unread = rows.filter((row) => !this.options.payloads?.get(row.messageId)).map((row) => row.messageId);
    const events = await this.readMessages(tx, unread);
    for (const row of rows) {
      const delivery: Claimed = { ...row, apiId: api.id, event: this.options.payloads?.get(row.messageId) ?? (events.get(row.messageId) as FrozenEvent), sending: false };
      this.owned.set(row.id, delivery);
      queue.push(delivery);
    }
    this.leased.set(api.id, queue);
    if (rows.length > 0) this.scheduleRenewal();
  }

  /** Payloads the cache does not hold (a restart, another process's outbox): one query per claim. */
  private async readMessages(tx: DeliveryStore, messageIds: string[]): Promise<Map<string, FrozenEvent>> {
    const events = new Map<string, FrozenEvent>();
    if (messageIds.length === 0) return events;
    const rows = await tx.rows<{ id: string; type: string; payload: string }>("messages", [JSON.stringify([...new Set(messageIds)])]);
    for (const row of rows) events.set(row.id, new FrozenEvent(row.type, row.payload));
    return events;
  }

  private scheduleRenewal(): void {
    this.renewTimer ??= this.options.clock.setTimeout(() => {
      this.renewTimer = null;
      this.renewalRound();
    }, this.renewEveryMs);
  }

  /**
   * Every renewEveryMs while the worker holds leases: first gives up what can no longer be renewed in time (this
   * does not wait for the database, which may be what hangs), then renews the rest in one statement.
   */
  private renewalRound(): void {
    this.giveUpExpiringLeases(this.options.clock.now());
    if (this.owned.size > 0) this.scheduleRenewal();
    if (this.renewing || this.owned.size === 0) return;
    this.renewing = true;
    this.serially(async () => {
      const held = [...this.owned.values()];
      const now = this.options.clock.now();
      const leaseUntil = now + this.leaseMs;
      const renewed = new Set(await this.store.transaction((tx) => tx.renew(held.map(({ id, leaseUntil }) => ({ id, leaseUntil })), leaseUntil, now)));
      const lost = held.filter((delivery) => !renewed.has(delivery.id) && this.owned.get(delivery.id) === delivery);
      for (const delivery of held) if (renewed.has(delivery.id)) delivery.leaseUntil = leaseUntil;
      if (lost.length > 0) {
        // Ran out or taken over (this worker was paused past its lease): not sent again by this worker; a request already out finishes unsaved.
        this.options.logger.warn({ deliveries: lost.length }, "delivery leases were lost before they could be renewed");
        for (const delivery of lost) this.forget(delivery);
      }
    })
      .catch((error: unknown) => this.options.logger.warn({ error: (error as Error).message, deliveries: this.owned.size }, "could not renew delivery leases"))
      .finally(() => (this.renewing = false));
  }

  /**
   * A lease with less than one renewal round left was not renewed (the database is unreachable or slow): it may be
   * claimed by another worker soon, so this worker stops before. Queued ones are dropped; if one is being sent,
   * every request out is aborted (one signal serves them all) and forgotten: their results are not saved.
   */
  private giveUpExpiringLeases(now: number): void {
    const expiring = [...this.owned.values()].filter((delivery) => delivery.leaseUntil - now <= this.renewEveryMs);
    if (expiring.length === 0) return;
    const aborting = expiring.some((delivery) => delivery.sending);
    const given = aborting ? [...new Set([...expiring, ...[...this.owned.values()].filter((delivery) => delivery.sending)])] : expiring;
    this.options.logger.error({ deliveries: given.length, aborted: aborting }, "delivery leases could not be renewed in time; given up before they run out");
    for (const delivery of given) this.forget(delivery);
    if (aborting) {
      const abort = this.abort;
      this.abort = new AbortController();
      abort.abort(new Error("lease given up"));
    }
  }

  /** No longer this worker's: not renewed, not sent, its result (if it is out) not saved. */
  private forget(delivery: Claimed): void {
    this.owned.delete(delivery.id);
    const queue = this.leased.get(delivery.apiId);
    if (queue) {
      const index = queue.indexOf(delivery);
      if (index >= 0) queue.splice(index, 1);
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
    const now = this.options.clock.now();
    while (queue && queue.length > 0 && (this.inFlight.get(api.id) ?? 0) < this.cap) {
      const delivery = queue.shift() as Claimed;
      // A lease about to run out unrenewed is not started (the renewal round gives it up).
      if (delivery.leaseUntil - now <= this.renewEveryMs) this.forget(delivery);
      else started.push(this.track(api, delivery));
    }
    return started;
  }

  private track(api: OutboundApi, delivery: Claimed): Promise<void> {
    delivery.sending = true;
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

  /**
   * A request is done: its slot goes to the next leased delivery at once (no database work); the result is saved
   * with others — unless the delivery is no longer this worker's (its lease given up or lost, or the worker
   * stopped): then the result is dropped, and the delivery goes out again from whoever claims it next.
   */
  private complete(item: Finished): void {
    this.sending--;
    item.delivery.sending = false;
    this.inFlight.set(item.api.id, (this.inFlight.get(item.api.id) ?? 1) - 1);
    if (this.owned.get(item.delivery.id) !== item.delivery) {
      item.saved();
      if (this.running) void this.fill(item.api);
      return;
    }
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
    for (const item of batch) if (this.owned.get(item.delivery.id) === item.delivery) this.owned.delete(item.delivery.id);
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
