import net from "node:net";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { count, eq, ne } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import type { OutboundApiInput } from "@/lib/schemas/integration";
import { systemClock } from "@/flows/runtime/clock";
import { createHarness, eventually, type Harness } from "./testing/harness";
import { TestReceiver } from "./testing/receiver";
import { sampleEvent } from "./samples";
import { rotateSigningSecret, setOutboundApiEnabled, getOutboundApi } from "../services/outboundApis";
import { getDelivery } from "../services/deliveries";
import { deliveries } from "../db/schema";
import { recordWriterFor } from "../runtime/recordWriter";

let h: Harness;
let receiver: TestReceiver;

beforeEach(async () => {
  h = await createHarness();
  receiver = new TestReceiver();
  await receiver.listen();
});
afterEach(async () => {
  await receiver.close();
  await h.cleanup();
});

function endOfCall(overrides: Partial<Extract<OutboundApiInput, { kind: "end_of_call" }>> = {}): OutboundApiInput {
  return { kind: "end_of_call", name: "CRM", url: receiver.url(), apply_to: "all_calls", retry: { count: 3, intervals_s: [5, 60, 600] }, ...overrides };
}

/** Queues one message to the API through the outbox (the runtime's record writer) and waits until it is committed. */
async function enqueue(apiId: string, event = sampleEvent("end_of_call"), harness = h): Promise<{ messageId: string; deliveryId: string }> {
  const api = harness.integration.catalog.get(apiId);
  if (!api) throw new Error("no api");
  const messageId = harness.integration.outbox.enqueue(event, [api]) as string;
  await harness.durable();
  const [delivery] = await harness.db.select({ id: deliveries.id }).from(deliveries).where(eq(deliveries.messageId, messageId));
  return { messageId, deliveryId: delivery.id };
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("delivery worker", () => {
  it("delivers a signed standard payload that the standardwebhooks package verifies", async () => {
    const { id, signingSecret } = await h.createApi(endOfCall({ auth: { type: "bearer", token: "crm-token-123456" } }));
    const { messageId, deliveryId } = await enqueue(id);
    expect(await h.integration.worker.runOnce()).toBe(1);
    const [request] = receiver.requests;
    expect(request.headers["webhook-id"]).toBe(messageId);
    expect(request.headers.authorization).toBe("Bearer crm-token-123456");
    const verified = new Webhook(signingSecret).verify(request.body, request.headers as Record<string, string>) as { type: string; data: { cdr_id: string } };
    expect(verified.type).toBe("call.ended");
    expect(verified.data.cdr_id).toBe((sampleEvent("end_of_call").data as { cdr_id: string }).cdr_id);
    expect(await getDelivery(h.db, deliveryId)).toMatchObject({ status: "succeeded", attempt_count: 1, attempts: [{ status_code: 200, error_class: null }] });
  });

  it("receiver down then back: one failed attempt, then exactly one success, nothing lost", async () => {
    const port = await freePort();
    const down = new TestReceiver();
    const { id } = await h.createApi(endOfCall({ url: `http://127.0.0.1:${port}/hook` }));
    const { deliveryId } = await enqueue(id);
    await h.integration.worker.runOnce();
    expect(await getDelivery(h.db, deliveryId)).toMatchObject({ status: "pending", attempt_count: 1, last_error_class: "connection_refused" });
    await down.listen(port);
    try {
      // Not due yet: nothing is sent before the retry interval (5 s with jitter 1.0).
      expect(await h.integration.worker.runOnce()).toBe(0);
      h.clock.advance(5_000);
      expect(await h.integration.worker.runOnce()).toBe(1);
      expect(down.requests).toHaveLength(1);
      expect(await getDelivery(h.db, deliveryId)).toMatchObject({ status: "succeeded", attempt_count: 2 });
      h.clock.advance(3_600_000);
      expect(await h.integration.worker.runOnce()).toBe(0);
      expect(down.requests).toHaveLength(1);
    } finally {
      await down.close();
    }
  });

  it("slow receiver: aborted at the timeout, retried with the same webhook-id and a fresh signature", async () => {
    const { id, signingSecret } = await h.createApi(endOfCall({ timeout_ms: 1_000 }));
    const { messageId, deliveryId } = await enqueue(id);
    receiver.respond = (_request, index) => (index === 0 ? "hang" : { status: 204 });
    const first = h.integration.worker.runOnce();
    await receiver.waitFor(1);
    h.clock.advance(1_000);
    await first;
    expect(await getDelivery(h.db, deliveryId)).toMatchObject({ status: "pending", last_error_class: "timeout" });
    h.clock.advance(5_000);
    await h.integration.worker.runOnce();
    const [slow, retried] = receiver.requests;
    expect(retried.headers["webhook-id"]).toBe(messageId);
    expect(slow.headers["webhook-id"]).toBe(messageId);
    expect(retried.headers["webhook-timestamp"]).not.toBe(slow.headers["webhook-timestamp"]);
    expect(retried.headers["webhook-signature"]).not.toBe(slow.headers["webhook-signature"]);
    expect(() => new Webhook(signingSecret).verify(retried.body, retried.headers as Record<string, string>)).not.toThrow();
    expect((await getDelivery(h.db, deliveryId)).status).toBe("succeeded");
  });

  it("retries 500s on the configured schedule, then succeeds; exhausted retries end dead and resendable", async () => {
    const { id } = await h.createApi(endOfCall());
    const { deliveryId } = await enqueue(id);
    receiver.respond = (_r, index) => (index < 3 ? { status: 500, body: "boom" } : { status: 200 });
    const sentAt: number[] = [];
    for (const wait of [0, 5_000, 60_000, 600_000]) {
      h.clock.advance(wait);
      sentAt.push(h.clock.now());
      expect(await h.integration.worker.runOnce()).toBe(1);
    }
    const delivery = await getDelivery(h.db, deliveryId);
    expect(delivery).toMatchObject({ status: "succeeded", attempt_count: 4 });
    expect(delivery.attempts.map((a) => a.status_code)).toEqual([500, 500, 500, 200]);
    expect(delivery.attempts[0].response_body).toBe("boom");

    receiver.respond = () => ({ status: 503 });
    const second = await enqueue(id);
    for (const wait of [0, 5_000, 60_000, 600_000]) {
      h.clock.advance(wait);
      await h.integration.worker.runOnce();
    }
    expect(await getDelivery(h.db, second.deliveryId)).toMatchObject({ status: "dead", attempt_count: 4 });
  });

  it("jitters each retry to 0.5–1.0 of the interval", async () => {
    const jittered = await createHarness({ random: () => 0 });
    try {
      const { id } = await jittered.createApi(endOfCall());
      receiver.respond = () => ({ status: 500 });
      const { deliveryId } = await enqueue(id, sampleEvent("end_of_call"), jittered);
      const before = jittered.clock.now();
      await jittered.integration.worker.runOnce();
      const [{ next }] = await jittered.db.select({ next: deliveries.nextAttemptAt }).from(deliveries).where(eq(deliveries.id, deliveryId));
      expect(next).toBe(before + 2_500);
    } finally {
      await jittered.cleanup();
    }
  });

  it("honours 429 Retry-After (capped at an hour) instead of the schedule", async () => {
    const { id } = await h.createApi(endOfCall());
    const { deliveryId } = await enqueue(id);
    receiver.respond = (_r, index) => ({ status: 429, headers: { "retry-after": index === 0 ? "42" : "999999" } });
    const start = h.clock.now();
    await h.integration.worker.runOnce();
    expect(Date.parse((await getDelivery(h.db, deliveryId)).next_attempt_at ?? "")).toBe(start + 42_000);
    h.clock.advance(42_000);
    await h.integration.worker.runOnce();
    expect(Date.parse((await getDelivery(h.db, deliveryId)).next_attempt_at ?? "")).toBe(start + 42_000 + 3_600_000);
  });

  it("waits for the schedule when Retry-After asks for less, so throttling cannot use up the retries in seconds", async () => {
    const { id } = await h.createApi(endOfCall());
    const { deliveryId } = await enqueue(id);
    receiver.respond = () => ({ status: 429, headers: { "retry-after": "1" } });
    const start = h.clock.now();
    await h.integration.worker.runOnce();
    // The schedule's first wait is 5 s, jittered to 2.5–5 s.
    expect(Date.parse((await getDelivery(h.db, deliveryId)).next_attempt_at ?? "")).toBeGreaterThanOrEqual(start + 2_500);
  });

  it("410 Gone disables the endpoint and pauses its queue; enabling it again resumes", async () => {
    const { id } = await h.createApi(endOfCall());
    const first = await enqueue(id);
    const second = await enqueue(id);
    receiver.respond = () => ({ status: 410 });
    await h.integration.worker.runOnce();
    expect(await getOutboundApi(h.db, id)).toMatchObject({ enabled: false, disabled_reason: "gone" });
    // The worker follows the catalogue, which learns of the change at once on SQLite and from its notification on PostgreSQL.
    await eventually(() => h.integration.catalog.get(id)?.enabled === false, "the catalogue to see the API disabled");
    h.clock.advance(3_600_000);
    expect(await h.integration.worker.runOnce()).toBe(0);
    expect((await getDelivery(h.db, first.deliveryId)).status).toBe("pending");
    expect((await getDelivery(h.db, second.deliveryId)).status).toBe("pending");

    receiver.respond = () => ({ status: 200 });
    await setOutboundApiEnabled(h.db, id, true, h.clock);
    await eventually(() => h.integration.catalog.get(id)?.enabled, "the catalogue to see the API enabled");
    await h.integration.worker.runOnce();
    await h.integration.worker.runOnce();
    expect((await getDelivery(h.db, first.deliveryId)).status).toBe("succeeded");
    expect((await getDelivery(h.db, second.deliveryId)).status).toBe("succeeded");
  });

  it("does not follow redirects and does not retry them; other 4xx are final, 408 is retried", async () => {
    const { id } = await h.createApi(endOfCall());
    receiver.respond = (request) =>
      request.url === "/hook" ? { status: 302, headers: { location: receiver.url("/elsewhere") } } : { status: 200 };
    const redirected = await enqueue(id);
    await h.integration.worker.runOnce();
    expect(receiver.requests.map((r) => r.url)).toEqual(["/hook"]);
    expect(await getDelivery(h.db, redirected.deliveryId)).toMatchObject({ status: "dead", last_error_class: "redirect", last_status_code: 302 });

    receiver.respond = () => ({ status: 400 });
    const rejected = await enqueue(id);
    await h.integration.worker.runOnce();
    expect(await getDelivery(h.db, rejected.deliveryId)).toMatchObject({ status: "dead", attempt_count: 1 });

    receiver.respond = () => ({ status: 408 });
    const timedOut = await enqueue(id);
    await h.integration.worker.runOnce();
    expect(await getDelivery(h.db, timedOut.deliveryId)).toMatchObject({ status: "pending", attempt_count: 1 });
  });

  it("signs with both secrets during a rotation's grace period, and only the new one after it", async () => {
    const { id, signingSecret: oldSecret } = await h.createApi(endOfCall());
    const { signingSecret: newSecret } = await rotateSigningSecret(h.db, { id, grace_hours: 1 }, h.clock);
    await eventually(() => h.integration.catalog.get(id)?.signingSecret === newSecret, "the catalogue to see the new secret");
    await enqueue(id);
    await h.integration.worker.runOnce();
    const during = receiver.requests[0];
    expect(String(during.headers["webhook-signature"]).split(" ")).toHaveLength(2);
    expect(() => new Webhook(oldSecret).verify(during.body, during.headers as Record<string, string>)).not.toThrow();
    expect(() => new Webhook(newSecret).verify(during.body, during.headers as Record<string, string>)).not.toThrow();

    h.clock.advance(3_600_001);
    await enqueue(id);
    await h.integration.worker.runOnce();
    const after = receiver.requests[1];
    // Standard Webhooks rejects timestamps more than 5 minutes off the real time, so this one is checked by signature count.
    expect(String(after.headers["webhook-signature"]).split(" ")).toHaveLength(1);
  });

  it("a delivery stopped by shutdown stays pending and its attempt does not count", async () => {
    const { id } = await h.createApi(endOfCall());
    const { deliveryId } = await enqueue(id);
    receiver.respond = () => "hang";
    const sending = h.integration.worker.runOnce();
    await receiver.waitFor(1);
    expect((await getDelivery(h.db, deliveryId)).status).toBe("in_flight");
    await h.integration.worker.stop();
    expect(await getDelivery(h.db, deliveryId)).toMatchObject({ status: "pending", attempt_count: 0 });
    await sending;
    expect(await getDelivery(h.db, deliveryId)).toMatchObject({ status: "pending", attempt_count: 0, attempts: [] });
  });

  it("reclaims an expired lease and sends the message again with the same id", async () => {
    const { id } = await h.createApi(endOfCall());
    const { messageId, deliveryId } = await enqueue(id);
    // Another worker claimed it and vanished.
    await h.db.update(deliveries).set({ status: "in_flight", leaseUntil: h.clock.now() + 1_000 }).where(eq(deliveries.id, deliveryId));
    expect(await h.integration.worker.runOnce()).toBe(0);
    h.clock.advance(1_000);
    expect(await h.integration.worker.runOnce()).toBe(1);
    expect(receiver.requests[0].headers["webhook-id"]).toBe(messageId);
    expect((await getDelivery(h.db, deliveryId)).status).toBe("succeeded");
  });

  it("drops notifications that could not be delivered within their TTL", async () => {
    const { id } = await h.createApi({ kind: "incoming_notification", name: "Pop-up", url: receiver.url(), ttl_s: 60, retry: { count: 5, intervals_s: [30] } });
    const { deliveryId } = await enqueue(id, sampleEvent("incoming_notification"));
    receiver.respond = () => ({ status: 503 });
    await h.integration.worker.runOnce();
    h.clock.advance(30_000);
    await h.integration.worker.runOnce();
    expect(await getDelivery(h.db, deliveryId)).toMatchObject({ status: "expired", attempt_count: 2 });
  });

  it("drains a 10,000-message backlog after an outage within the per-endpoint concurrency limit", async () => {
    const live = await createHarness({ clock: systemClock, concurrencyPerEndpoint: 4 });
    try {
      const { id } = await live.createApi(endOfCall());
      receiver.respond = () => ({ status: 200, delayMs: 1 });
      const api = live.integration.catalog.get(id)!;
      const event = sampleEvent("end_of_call");
      // The backlog built up during the outage, queued as one unit (one transaction).
      recordWriterFor(live.db).atomically(() => {
        for (let i = 0; i < 10_000; i++) live.integration.outbox.enqueue(event, [api]);
      });
      await live.durable();
      const started = Date.now();
      live.integration.worker.start();
      const remaining = async () => (await live.db.select({ n: count() }).from(deliveries).where(ne(deliveries.status, "succeeded")))[0].n;
      // A deadline for a loaded machine, not a timing assertion (a drain takes 8–30 s on PostgreSQL on the shared 2-core box).
      await vi.waitFor(async () => expect(await remaining()).toBe(0), { timeout: 100_000, interval: 20 });
      expect(new Set(receiver.requests.map((r) => r.headers["webhook-id"])).size).toBe(10_000);
      expect(receiver.maxInFlight).toBeLessThanOrEqual(4);
      expect(receiver.maxInFlight).toBeGreaterThan(1);
      console.info(`10,000 deliveries drained in ${Date.now() - started} ms, at most ${receiver.maxInFlight} in flight`);
    } finally {
      await live.cleanup();
    }
  }, 120_000);
});
