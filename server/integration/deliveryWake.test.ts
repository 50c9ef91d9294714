import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { systemClock } from "@/flows/runtime/clock";
import { testDatabaseUrl } from "@/tests/helpers/postgres";
import type { PgDb } from "../db/postgres";
import { resendDelivery } from "../services/deliveries";
import { sampleEvent } from "./samples";
import { createPgHarness, eventually, type PgHarness } from "./testing/harness";
import { TestReceiver } from "./testing/receiver";

/**
 * Workers in other processes wake on NOTIFY (drizzle/pg/0010, issue #12): a
 * delivery committed by another connection is sent at once, not at the next
 * poll. The worker here polls once a minute, so only the notification (or the
 * wake-up after its LISTEN connection comes back) can explain a prompt send.
 * Skipped without TEST_DATABASE_URL.
 */
const POLL_MS = 60_000;
/** Far below the poll: the test fails without the notification. */
const PROMPTLY_MS = 3_000;

let h: PgHarness;
let receiver: TestReceiver;

describe.skipIf(!testDatabaseUrl)("delivery workers wake on new deliveries (PostgreSQL)", () => {
  beforeEach(async () => {
    h = await createPgHarness({ clock: systemClock, pollIntervalMs: POLL_MS });
    receiver = new TestReceiver();
    await receiver.listen();
  });
  afterEach(async () => {
    await receiver.close();
    await h.cleanup();
  });

  /** Another process (a pool of its own) commits a message for the endpoint through its outbox; resolves once it is committed. */
  async function commitElsewhere(apiId: string): Promise<{ committedAt: number; messageId: string }> {
    const runtime = await h.another({ clock: systemClock });
    await eventually(() => runtime.integration.catalog.get(apiId), "the other process's catalogue");
    const messageId = runtime.integration.outbox.enqueue(sampleEvent("end_of_call"), [runtime.integration.catalog.get(apiId)!]) as string;
    const { recordWriterFor } = await import("../runtime/recordWriter");
    await recordWriterFor(runtime.db).durable();
    return { committedAt: Date.now(), messageId };
  }

  /** The worker has listened and made its first claims: from here on only a wake-up or the minute's poll can claim. */
  async function startedAndIdle(): Promise<void> {
    h.integration.worker.start();
    await new Promise((resolve) => setTimeout(resolve, 500));
  }

  it("a worker polling once a minute sends a delivery another process commits within moments", async () => {
    const { id } = await h.createApi({ kind: "end_of_call", name: "CRM", url: receiver.url(), apply_to: "all_calls" });
    await startedAndIdle();
    const { committedAt, messageId } = await commitElsewhere(id);
    await receiver.waitFor(1, PROMPTLY_MS);
    expect(receiver.requests[0].headers["webhook-id"]).toBe(messageId);
    expect(receiver.requests[0].at - committedAt).toBeLessThan(PROMPTLY_MS);
  });

  it("after its LISTEN connection is lost, the worker wakes once it listens again: a delivery committed meanwhile is not left for the poll", async () => {
    const { id } = await h.createApi({ kind: "end_of_call", name: "CRM", url: receiver.url(), apply_to: "all_calls" });
    await startedAndIdle();
    h.integration.worker.breakListenConnectionForTests();
    // Committed while nobody listens: its notification is gone.
    await commitElsewhere(id);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(receiver.requests).toHaveLength(0);
    // PgListener listens again a second later; the worker then looks at once.
    await receiver.waitFor(1, PROMPTLY_MS);
  });

  it("a resend from the delivery log in another process (dead → pending) wakes the worker too", async () => {
    const { id } = await h.createApi({ kind: "end_of_call", name: "CRM", url: receiver.url(), apply_to: "all_calls", retry: { count: 0, intervals_s: [5] } });
    receiver.respond = (_request, index) => (index === 0 ? { status: 400 } : { status: 200 });
    await startedAndIdle();
    const { messageId } = await commitElsewhere(id);
    await receiver.waitFor(1, PROMPTLY_MS);
    const pool = (h.db as unknown as PgDb).$client;
    const dead = async () => (await pool.query<{ id: string; status: string }>("select id, status from deliveries where message_id = $1", [messageId])).rows[0];
    await vi.waitFor(async () => expect((await dead()).status).toBe("dead"), { timeout: 5_000, interval: 5 });
    const web = await h.another({ clock: systemClock });
    await resendDelivery(web.db, (await dead()).id, systemClock);
    await receiver.waitFor(2, PROMPTLY_MS);
    expect(receiver.requests[1].headers["webhook-id"]).toBe(messageId);
  });
});
