import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Webhook } from "standardwebhooks";
import { systemClock } from "@/flows/runtime/clock";
import type { OutboundApiInput } from "@/lib/schemas/integration";
import { testDatabaseUrl } from "@/tests/helpers/postgres";
import type { PgDb } from "../db/postgres";
import { createOutboundApi, deleteOutboundApi, setOutboundApiEnabled, updateOutboundApi } from "../services/outboundApis";
import { endpointHealth, getDelivery, listDeliveries, resendDelivery, resendFailedSince } from "../services/deliveries";
import { writeToneWav } from "../telephony/simulated/wav";
import { serveRecording } from "./recordingFiles";
import { pruneDeliveryBatch } from "./retention";
import { sampleEvent } from "./samples";
import { createPgHarness, eventually, sampleCall, type PgHarness } from "./testing/harness";
import { TestReceiver } from "./testing/receiver";

/**
 * The CRM integration on PostgreSQL (issue #12): the same worker, look-up
 * log, catalogue and delivery log as on SQLite, over the pg pool; several
 * workers (each with its own pool, as separate processes would have) share
 * the outbox. Skipped without TEST_DATABASE_URL (`eval "$(scripts/pg-cluster.sh start)"`).
 */
if (!testDatabaseUrl) console.warn('The CRM integration on PostgreSQL is not tested: TEST_DATABASE_URL is unset (eval "$(scripts/pg-cluster.sh start)")');

let h: PgHarness;
let receiver: TestReceiver;

const pool = (harness: PgHarness) => (harness.db as unknown as PgDb).$client;

function endOfCall(overrides: Partial<Extract<OutboundApiInput, { kind: "end_of_call" }>> = {}): OutboundApiInput {
  return { kind: "end_of_call", name: "CRM", url: receiver.url(), apply_to: "all_calls", retry: { count: 3, intervals_s: [5, 60, 600] }, ...overrides };
}

/** Queues one end-of-call message through the outbox (the runtime's record writer) and waits until it is committed. */
async function enqueue(apiId: string): Promise<{ messageId: string; deliveryId: string }> {
  const api = h.integration.catalog.get(apiId);
  if (!api) throw new Error("no api");
  const messageId = h.integration.outbox.enqueue(sampleEvent("end_of_call"), [api]) as string;
  await h.durable();
  const { rows } = await pool(h).query<{ id: string }>("select id from deliveries where message_id = $1", [messageId]);
  return { messageId, deliveryId: rows[0].id };
}

describe.skipIf(!testDatabaseUrl)("the CRM integration on PostgreSQL", () => {
  beforeEach(async () => {
    h = await createPgHarness();
    receiver = new TestReceiver();
    await receiver.listen();
  });
  afterEach(async () => {
    await receiver.close();
    await h.cleanup();
  });

  it("delivers signed, retries a 500 on its schedule, and resends an expired lease with the same webhook-id", async () => {
    const { id, signingSecret } = await h.createApi(endOfCall());
    receiver.respond = (_request, index) => (index === 0 ? { status: 500, body: "boom" } : { status: 200 });
    const first = await enqueue(id);
    expect(await h.integration.worker.runOnce()).toBe(1);
    expect(await getDelivery(h.db, first.deliveryId)).toMatchObject({ status: "pending", attempt_count: 1, last_status_code: 500 });
    expect(await h.integration.worker.runOnce()).toBe(0);
    h.clock.advance(5_000);
    expect(await h.integration.worker.runOnce()).toBe(1);
    const delivered = await getDelivery(h.db, first.deliveryId);
    expect(delivered).toMatchObject({ status: "succeeded", attempt_count: 2 });
    expect(delivered.attempts.map((a) => a.status_code)).toEqual([500, 200]);
    const [, request] = receiver.requests;
    expect(request.headers["webhook-id"]).toBe(first.messageId);
    expect(() => new Webhook(signingSecret).verify(request.body, request.headers as Record<string, string>)).not.toThrow();

    // Another worker leased this one and died: nobody sends it until its lease runs out, then this worker does.
    const orphan = await enqueue(id);
    await pool(h).query("update deliveries set status = 'in_flight', lease_until = $1 where id = $2", [h.clock.now() + 1_000, orphan.deliveryId]);
    expect(await h.integration.worker.runOnce()).toBe(0);
    h.clock.advance(1_000);
    expect(await h.integration.worker.runOnce()).toBe(1);
    expect(receiver.requests.at(-1)?.headers["webhook-id"]).toBe(orphan.messageId);
    expect((await getDelivery(h.db, orphan.deliveryId)).status).toBe("succeeded");
  });

  it("a late result of a worker whose lease expired and was taken over changes nothing", async () => {
    const { id } = await h.createApi(endOfCall({ timeout_ms: 1_000 }));
    const { deliveryId } = await enqueue(id);
    receiver.respond = (_request, index) => (index === 0 ? { status: 500, delayMs: 300 } : { status: 200 });
    const slow = h.integration.worker.runOnce();
    await receiver.waitFor(1);
    // The lease runs out while the request is out; a second worker takes the delivery over and succeeds.
    await pool(h).query("update deliveries set lease_until = $1 where id = $2", [h.clock.now(), deliveryId]);
    const second = await h.another({ clock: h.clock });
    expect(await second.integration.worker.runOnce()).toBe(1);
    await slow;
    expect(await getDelivery(h.db, deliveryId)).toMatchObject({ status: "succeeded", attempt_count: 1, attempts: [{ status_code: 200 }] });
  });

  it("two workers with pools of their own never hold the same lease, respect the endpoint's lease cap together, and send every message once", async () => {
    // Each worker leases up to 16 rounds of its concurrency (32); together they may hold 48, so the cap binds.
    const shared = { clock: systemClock, concurrencyPerEndpoint: 2, leaseCapPerEndpoint: 48, pollIntervalMs: 20 };
    const live = await createPgHarness(shared);
    try {
      const { id } = await live.createApi(endOfCall());
      receiver.respond = () => ({ status: 200, delayMs: 2 });
      const api = live.integration.catalog.get(id)!;
      const messages = 1_000;
      for (let i = 0; i < messages; i++) live.integration.outbox.enqueue(sampleEvent("end_of_call"), [api]);
      await live.durable();
      const second = await live.another(shared);
      await eventually(() => second.integration.catalog.get(id), "the second catalogue");
      const integrations = [live.integration, second.integration];
      const sentBy = [0, 0];
      for (const [index, integration] of integrations.entries()) {
        const send = integration.sender.send.bind(integration.sender);
        integration.sender.send = (...args) => {
          sentBy[index]++;
          return send(...args);
        };
      }
      const workers = integrations.map((integration) => integration.worker);
      for (const worker of workers) worker.start();
      let overlaps = 0;
      let mostHeld = 0;
      const until = Date.now() + 30_000;
      for (;;) {
        const [a, b] = workers.map((worker) => worker.heldLeases());
        const inA = new Set(a);
        overlaps += b.filter((delivery) => inA.has(delivery)).length;
        mostHeld = Math.max(mostHeld, a.length + b.length);
        const { rows } = await pool(live).query<{ n: number }>("select count(*) as n from deliveries where status <> 'succeeded'");
        if (rows[0].n === 0 || Date.now() > until) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const ids = receiver.requests.map((r) => r.headers["webhook-id"]);
      expect(ids).toHaveLength(messages);
      expect(new Set(ids).size).toBe(messages);
      expect(overlaps).toBe(0);
      expect(mostHeld).toBeLessThanOrEqual(48);
      expect(mostHeld).toBeGreaterThan(32);
      // Both took part, and nothing was sent twice between them.
      expect(sentBy.every((sent) => sent > 0)).toBe(true);
      expect(sentBy[0] + sentBy[1]).toBe(messages);
      expect(receiver.maxInFlight).toBeLessThanOrEqual(4);
    } finally {
      await live.cleanup();
    }
  }, 60_000);

  it("logs a look-up's exchange in the delivery log", async () => {
    const { id } = await h.createApi({ kind: "data_lookup", name: "Owner", url: receiver.url("/lookup") });
    receiver.respond = () => ({ status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ extension: "102" }) });
    expect(await h.integration.port.lookup({ outboundApiId: id, call: sampleCall, nodeId: "lookup", variables: {} })).toEqual({ status: "found", extension: "102" });
    await h.integration.lookups.logged();
    const { items, total } = await listDeliveries(h.db, { outbound_api_id: id });
    expect(total).toBe(1);
    expect(items).toMatchObject([{ event_type: "call.lookup", status: "succeeded", conversation_id: "conv_1", attempts: [{ attempt: 1, status_code: 200 }] }]);
  });

  it("the catalogue follows changes made through another connection (another process), and wakes the worker", async () => {
    const other = await h.another();
    let changes = 0;
    h.integration.catalog.onChange(() => changes++);
    const { outboundApi } = await createOutboundApi(other.db, endOfCall());
    await eventually(() => h.integration.catalog.active("end_of_call").some((api) => api.id === outboundApi.id), "the new API");
    await updateOutboundApi(other.db, outboundApi.id, { ...endOfCall(), url: "http://127.0.0.1:9/v2" });
    await eventually(() => h.integration.catalog.get(outboundApi.id)?.config.url === "http://127.0.0.1:9/v2", "the edit");
    await setOutboundApiEnabled(other.db, outboundApi.id, false);
    await eventually(() => h.integration.catalog.get(outboundApi.id)?.enabled === false, "the disabling");
    // A hand edit in SQL: no service announced it, the trigger did.
    await pool(h).query("update outbound_apis set enabled = true where id = $1", [outboundApi.id]);
    await eventually(() => h.integration.catalog.get(outboundApi.id)?.enabled === true, "the hand edit");
    await deleteOutboundApi(other.db, outboundApi.id);
    await eventually(() => h.integration.catalog.get(outboundApi.id) === undefined || undefined, "the deletion");
    expect(changes).toBeGreaterThanOrEqual(5);
  });

  it("the delivery log: filters, payload, resends and each endpoint's health", async () => {
    const { id } = await h.createApi(endOfCall({ retry: { count: 0, intervals_s: [5] } }));
    receiver.respond = () => ({ status: 400, body: "no" });
    const dead = await enqueue(id);
    await h.integration.worker.runOnce();
    expect(await getDelivery(h.db, dead.deliveryId)).toMatchObject({ status: "dead", last_status_code: 400, payload: { type: "call.ended" } });
    const { items, total } = await listDeliveries(h.db, { outbound_api_id: id, status: "dead" });
    expect(total).toBe(1);
    expect(items[0]).toMatchObject({ id: dead.deliveryId, message_id: dead.messageId, attempts: [{ status_code: 400, response_body: "no" }] });
    expect((await listDeliveries(h.db, { outbound_api_id: id, status: "succeeded" })).total).toBe(0);
    const [health] = await endpointHealth(h.db, h.clock);
    expect(health).toMatchObject({ outbound_api_id: id, state: "failing", dead_24h: 1, failures_24h: 1, last_error_class: "http_status", enabled: true });
    expect(health.failing_since).not.toBeNull();

    receiver.respond = () => ({ status: 200 });
    expect(await resendDelivery(h.db, dead.deliveryId, h.clock)).toMatchObject({ status: "pending", attempt_count: 0 });
    await h.integration.worker.runOnce();
    expect((await getDelivery(h.db, dead.deliveryId)).status).toBe("succeeded");
    const [healthy] = await endpointHealth(h.db, h.clock);
    expect(healthy).toMatchObject({ state: "ok", queued: 0, last_error_class: null });

    receiver.respond = () => ({ status: 400 });
    const again = await enqueue(id);
    await h.integration.worker.runOnce();
    expect(await resendFailedSince(h.db, { since: new Date(h.clock.now() - 60_000).toISOString(), outbound_api_id: id }, h.clock)).toEqual({ resent: 1 });
    expect((await getDelivery(h.db, again.deliveryId)).status).toBe("pending");
  });

  it("retention prunes old succeeded deliveries with their attempts and orphan messages, keeping failures", async () => {
    const { id } = await h.createApi(endOfCall({ retry: { count: 0, intervals_s: [5] } }));
    receiver.respond = (_request, index) => (index === 0 ? { status: 200 } : { status: 400 });
    const kept = [await enqueue(id), await enqueue(id)];
    await h.integration.worker.runOnce();
    const cutoff = h.clock.now() + 1;
    expect(await pruneDeliveryBatch(h.db, cutoff, 10)).toBe(1);
    const { rows } = await pool(h).query<{ id: string; status: string }>("select id, status from deliveries");
    expect(rows).toEqual([{ id: kept[1].deliveryId, status: "dead" }]);
    const messages = await pool(h).query("select id from integration_messages");
    expect(messages.rows).toEqual([{ id: kept[1].messageId }]);
  });

  it("serves a stored recording and 404s a code that is not in the database", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sb-pg-rec-"));
    try {
      const stored = writeToneWav(dir, 200);
      const unknown = writeToneWav(dir, 200);
      await pool(h).query(
        `insert into recordings (code, conversation_id, kind, format, duration_s, size_bytes, sha256, created_at) values ($1, 'conv_1', 'call', 'wav', 1, 1, 'x', '2026-12-06T09:00:00.000Z')`,
        [stored.code],
      );
      expect((await serveRecording(h.db, dir, stored.code, "wav", null)).status).toBe(200);
      expect((await serveRecording(h.db, dir, unknown.code, "wav", null)).status).toBe(404);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
