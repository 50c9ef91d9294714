import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ManualClock } from "@/flows/runtime/testing/manualClock";
import type { OutboundApiInput } from "@/lib/schemas/integration";
import { testDatabaseUrl } from "@/tests/helpers/postgres";
import type { Db } from "../db/client";
import { deliveries, deliveryAttempts } from "../db/schema";
import { deliveryStoreFor } from "./deliveryStore";
import type { Integration } from "./index";
import { sampleEvent } from "./samples";
import { createHarness, createPgHarness, type Harness, type PgHarness } from "./testing/harness";
import { TestReceiver } from "./testing/receiver";
import { DEFAULT_LEASE_MS } from "./worker";

/**
 * Delivery lease renewal (issue #12): a lease is short (`leaseMs`) and renewed
 * while held, so a slow request keeps its delivery and a dead worker's
 * deliveries are retried after the short lease, whatever the endpoint's
 * timeout. The manual clock drives leases and renewals; the requests are real.
 * The pool cases need PostgreSQL (skipped without TEST_DATABASE_URL); the
 * first runs on both backends.
 */
const LEASE_MS = 1_000;
const RENEW_EVERY_MS = LEASE_MS / 4;

let receiver: TestReceiver;

function endOfCall(overrides: Partial<Extract<OutboundApiInput, { kind: "end_of_call" }>> = {}): OutboundApiInput {
  return { kind: "end_of_call", name: "CRM", url: receiver.url(), apply_to: "all_calls", ...overrides };
}

async function enqueue(h: Pick<Harness, "integration" | "db" | "durable">, apiId: string): Promise<string> {
  const messageId = h.integration.outbox.enqueue(sampleEvent("end_of_call"), [h.integration.catalog.get(apiId)!]) as string;
  await h.durable();
  const [row] = await h.db.select({ id: deliveries.id }).from(deliveries).where(eq(deliveries.messageId, messageId));
  return row.id;
}

async function leaseOf(db: Db, deliveryId: string) {
  const [row] = await db.select({ status: deliveries.status, leaseUntil: deliveries.leaseUntil }).from(deliveries).where(eq(deliveries.id, deliveryId));
  return row;
}

async function attemptsOf(db: Db, deliveryId: string) {
  return db.select().from(deliveryAttempts).where(eq(deliveryAttempts.deliveryId, deliveryId));
}

/** Moves the worker's clock one renewal round on and waits until the renewal is in the database. */
async function renewalRound(db: Db, clock: ManualClock, deliveryId: string): Promise<void> {
  const expected = clock.now() + RENEW_EVERY_MS + LEASE_MS;
  clock.advance(RENEW_EVERY_MS);
  await vi.waitFor(async () => expect((await leaseOf(db, deliveryId)).leaseUntil).toBe(expected), { timeout: 5_000, interval: 5 });
}

beforeEach(async () => {
  receiver = new TestReceiver();
  await receiver.listen();
});
afterEach(async () => {
  await receiver.close();
});

describe.each(["sqlite", ...(testDatabaseUrl ? ["postgres" as const] : [])] as const)("lease renewal on %s", (backend) => {
  let h: Harness | PgHarness;
  beforeEach(async () => {
    h = backend === "sqlite" ? await createHarness({ backend, leaseMs: LEASE_MS }) : await createPgHarness({ leaseMs: LEASE_MS });
  });
  afterEach(async () => {
    receiver.answerHanging();
    await h.cleanup();
  });

  it("keeps a slow delivery's lease past the original lease end: nobody claims it again, and its result is saved", async () => {
    const { id } = await h.createApi(endOfCall({ timeout_ms: 30_000 }));
    const deliveryId = await enqueue(h, id);
    receiver.respond = () => "hang";
    const slow = h.integration.worker.runOnce();
    await receiver.waitFor(1);
    const claimedUntil = (await leaseOf(h.db, deliveryId)).leaseUntil!;
    expect(claimedUntil).toBe(h.clock.now() + LEASE_MS);
    for (let round = 0; round < 5; round++) await renewalRound(h.db, h.clock, deliveryId);
    expect(h.clock.now()).toBeGreaterThan(claimedUntil);

    // Past the lease as claimed: a claim (another worker's on PostgreSQL, the same worker's own on SQLite) finds nothing to take.
    const claimer = "another" in h ? (await h.another({ clock: h.clock, leaseMs: LEASE_MS })).integration : h.integration;
    expect(await claimer.worker.runOnce()).toBe(0);
    expect(receiver.requests).toHaveLength(1);

    receiver.answerHanging(200);
    expect(await slow).toBe(1);
    expect(await leaseOf(h.db, deliveryId)).toEqual({ status: "succeeded", leaseUntil: null });
    expect(await attemptsOf(h.db, deliveryId)).toMatchObject([{ attemptNo: 1, statusCode: 200 }]);
  });
});

describe.skipIf(!testDatabaseUrl)("lease renewal in a pool of workers (PostgreSQL)", () => {
  let h: PgHarness;
  beforeEach(async () => {
    h = await createPgHarness();
  });
  afterEach(async () => {
    receiver.answerHanging();
    await h.cleanup();
  });

  /** A worker in another process whose clock moves only when the test says: a frozen clock is a killed or paused process. */
  async function otherWorker(leaseMs?: number): Promise<{ clock: ManualClock; integration: Integration; db: Db }> {
    const clock = new ManualClock(h.clock.now());
    const { integration, db } = await h.another({ clock, leaseMs });
    return { clock, integration, db };
  }

  it("a killed worker's delivery is retried after the default lease, however long the endpoint's timeout", async () => {
    const { id } = await h.createApi(endOfCall({ timeout_ms: 30_000 }));
    const deliveryId = await enqueue(h, id);
    receiver.respond = (_request, index) => (index === 0 ? "hang" : { status: 200 });
    const killed = await otherWorker();
    void killed.integration.worker.runOnce();
    await receiver.waitFor(1);
    expect((await leaseOf(h.db, deliveryId)).leaseUntil).toBe(h.clock.now() + DEFAULT_LEASE_MS);

    // The killed worker's clock stands still: it never renews. The survivor waits out the short lease, not 16 timeouts.
    h.clock.advance(DEFAULT_LEASE_MS - 1);
    expect(await h.integration.worker.runOnce()).toBe(0);
    h.clock.advance(1);
    expect(await h.integration.worker.runOnce()).toBe(1);
    expect(receiver.requests.map((request) => request.headers["webhook-id"])).toEqual([receiver.requests[0].headers["webhook-id"], receiver.requests[0].headers["webhook-id"]]);
    expect(await leaseOf(h.db, deliveryId)).toEqual({ status: "succeeded", leaseUntil: null });
  });

  it("a worker whose lease was taken over cannot renew it back, forgets it, and its late result changes nothing", async () => {
    const { id } = await h.createApi(endOfCall({ timeout_ms: 30_000 }));
    const deliveryId = await enqueue(h, id);
    receiver.respond = () => "hang";
    const paused = await otherWorker(LEASE_MS);
    const pausedRun = paused.integration.worker.runOnce();
    await receiver.waitFor(1);
    const pausedLease = (await leaseOf(h.db, deliveryId)).leaseUntil!;

    // The paused worker's lease runs out; the survivor takes the delivery over with a lease of its own.
    h.clock.advance(LEASE_MS);
    const survivorRun = h.integration.worker.runOnce();
    await receiver.waitFor(2);
    const survivorLease = (await leaseOf(h.db, deliveryId)).leaseUntil!;
    expect(survivorLease).toBeGreaterThan(pausedLease);

    // The paused worker comes back and renews: its fence (the old lease_until) no longer matches.
    expect(await deliveryStoreFor(paused.db).renew([{ id: deliveryId, leaseUntil: pausedLease }], paused.clock.now() + 10 * LEASE_MS, paused.clock.now())).toEqual([]);
    expect(paused.integration.worker.heldLeases()).toEqual([deliveryId]);
    paused.clock.advance(RENEW_EVERY_MS);
    await vi.waitFor(() => expect(paused.integration.worker.heldLeases()).toEqual([]), { timeout: 5_000, interval: 5 });
    expect(await leaseOf(h.db, deliveryId)).toEqual({ status: "in_flight", leaseUntil: survivorLease });

    // Both requests answer: the survivor's result is saved, the paused worker's is dropped.
    receiver.respond = () => ({ status: 200 });
    receiver.answerHanging(500, 0);
    await pausedRun;
    expect(await leaseOf(h.db, deliveryId)).toEqual({ status: "in_flight", leaseUntil: survivorLease });
    receiver.answerHanging(200);
    await survivorRun;
    expect(await leaseOf(h.db, deliveryId)).toMatchObject({ status: "succeeded" });
    expect(await attemptsOf(h.db, deliveryId)).toHaveLength(1);
  });

  it("a worker that cannot renew (database unreachable) aborts its request and gives the lease up before it runs out", async () => {
    const { id } = await h.createApi(endOfCall({ timeout_ms: 30_000 }));
    const deliveryId = await enqueue(h, id);
    receiver.respond = (_request, index) => (index === 0 ? "hang" : { status: 200 });
    const cut = await otherWorker(LEASE_MS);
    const cutRun = cut.integration.worker.runOnce();
    await receiver.waitFor(1);
    const lease = (await leaseOf(h.db, deliveryId)).leaseUntil!;
    expect(receiver.inFlight).toBe(1);

    // From now on every statement of that worker fails, as with the database unreachable.
    deliveryStoreFor(cut.db).transaction = () => Promise.reject(new Error("connect ECONNREFUSED"));
    await cut.clock.advanceAsync(RENEW_EVERY_MS);
    await cut.clock.advanceAsync(RENEW_EVERY_MS);
    expect(cut.integration.worker.heldLeases()).toEqual([deliveryId]);
    expect(receiver.inFlight).toBe(1);
    // Two rounds failed; one round before the lease runs out, the worker stops sending what it may no longer own.
    await cut.clock.advanceAsync(RENEW_EVERY_MS);
    expect(cut.clock.now()).toBeLessThan(lease);
    expect(cut.integration.worker.heldLeases()).toEqual([]);
    await cutRun;
    await vi.waitFor(() => expect(receiver.inFlight).toBe(0), { timeout: 5_000, interval: 5 });

    // Nothing of it was saved; after the lease another worker delivers it.
    expect(await attemptsOf(h.db, deliveryId)).toEqual([]);
    h.clock.advance(lease - h.clock.now());
    expect(await h.integration.worker.runOnce()).toBe(1);
    expect(await leaseOf(h.db, deliveryId)).toEqual({ status: "succeeded", leaseUntil: null });
    expect(await attemptsOf(h.db, deliveryId)).toMatchObject([{ attemptNo: 1, statusCode: 200 }]);
  });
});
