import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { and, asc, eq } from "drizzle-orm";
import { flushPromises } from "@/flows/runtime/testing/manualClock";
import { cdrs, deliveries, integrationMessages } from "../db/schema";
import { seedDemo } from "../services/demo";
import { Runtime } from "../runtime/runtime";
import type { Cdr } from "../pbx/cdr";
import { callEndedWebhookSchema, callIncomingWebhookSchema } from "../api/rest/schemas/webhooks";
import { attachToRuntime } from "./index";
import { verifyRecordingToken } from "./recordingLinks";
import { createHarness, silentLogger, type Harness } from "./testing/harness";

let h: Harness;
let runtime: Runtime;

beforeEach(async () => {
  // A Tuesday at 10:00 in Budapest: the demo reception flow is open (signatures are not verified here).
  h = await createHarness({ start: "2026-11-24T09:00:00Z" });
  await seedDemo(h.db);
  fs.mkdirSync(path.join(h.dir, "recordings"), { recursive: true });
  runtime = new Runtime({ data: await h.runtimeStore(), recordingsDir: path.join(h.dir, "recordings"), logger: silentLogger, clock: h.clock });
  attachToRuntime(h.integration, runtime);
});
afterEach(async () => {
  runtime.shutdown();
  await h.cleanup();
});

// What the runtime and the outbox recorded, once committed (PostgreSQL's record writer queues it).
async function messages(type?: string) {
  await h.durable();
  const rows = await h.db
    .select({ id: integrationMessages.id, type: integrationMessages.eventType, payload: integrationMessages.payload })
    .from(integrationMessages)
    .where(type ? eq(integrationMessages.eventType, type) : undefined)
    .orderBy(asc(integrationMessages.createdAt), asc(integrationMessages.id));
  return rows.map((m) => ({ ...m, event: JSON.parse(m.payload) as { type: string; data: Record<string, unknown> } }));
}
async function deliveriesOf(apiId: string) {
  await h.durable();
  return h.db
    .select({ messageId: deliveries.messageId, status: deliveries.status, expiresAt: deliveries.expiresAt })
    .from(deliveries)
    .where(eq(deliveries.outboundApiId, apiId));
}
async function finalCdrDocuments(callId: string) {
  await h.durable();
  return (await h.db.select({ document: cdrs.document }).from(cdrs).where(and(eq(cdrs.callId, callId), eq(cdrs.isFinal, true)))).map((r) => r.document as Cdr);
}

/** The published flow is read from the database (real I/O on PostgreSQL, which the manual clock does not wait for). */
async function placeIntoFlow(from: string, to: string): Promise<string> {
  const { callId } = runtime.pbx.placeInboundCall({ from, to });
  await vi.waitFor(() => expect(runtime.live.get(callId)).toBeDefined());
  return callId;
}

/** The demo reception flow: key 1 rings sales; 101 answers and talks for 30 s. */
async function answeredCall(): Promise<string> {
  const callId = await placeIntoFlow("+36301112233", "+3612345678");
  await h.clock.advanceAsync(2_000);
  runtime.pbx.sendDtmf(callId, "1");
  await h.clock.advanceAsync(500);
  runtime.pbx.answerPhone("101");
  await h.clock.advanceAsync(30_000);
  return callId;
}

describe("the outbox on the call runtime", () => {
  it("queues the final CDR for every-call end-of-call APIs, frozen exactly as stored, with a signed recording link", async () => {
    const { id } = await h.createApi({ kind: "end_of_call", name: "CDRs", url: "http://127.0.0.1:9/cdr", apply_to: "all_calls" });
    const callId = await answeredCall();
    runtime.pbx.hangupCall(callId);
    await flushPromises();
    const [stored] = await finalCdrDocuments(callId);
    const [message] = (await messages("call.ended")).filter((m) => (m.event.data as unknown as Cdr).is_final);
    // The stored CDR, plus the contact the call's look-ups found (none here).
    expect(message.event.data).toEqual({ ...stored, contact: null });
    for (const ended of await messages("call.ended")) expect(() => callEndedWebhookSchema.parse(ended.event)).not.toThrow();
    expect(await deliveriesOf(id)).toContainEqual({ messageId: message.id, status: "pending", expiresAt: null });
    const cdr = message.event.data as unknown as Cdr;
    expect(cdr.recordings.length).toBeGreaterThan(0);
    const link = new URL(cdr.recordings[0].url, "http://switchboard.local");
    expect(link.pathname).toBe(`/api/v1/recordings/${cdr.recordings[0].code}`);
    expect(verifyRecordingToken(cdr.recordings[0].code, link.searchParams.get("token") ?? "", h.clock.now() + 20 * 86_400_000)).toEqual({ ok: true });
    expect(verifyRecordingToken("someOtherCode", link.searchParams.get("token") ?? "", h.clock.now())).toEqual({ ok: false, reason: "invalid" });
  });

  it("notifies every-call notification APIs at the moment they chose, with a TTL", async () => {
    const ringing = (await h.createApi({ kind: "incoming_notification", name: "Ring", url: "http://127.0.0.1:9/r", apply_to: "all_calls", trigger: "ringing" })).id;
    const answered = (await h.createApi({ kind: "incoming_notification", name: "Answer", url: "http://127.0.0.1:9/a", apply_to: "all_calls", trigger: "answered", ttl_s: 60 })).id;
    const onlyAtNodes = (await h.createApi({ kind: "incoming_notification", name: "Node", url: "http://127.0.0.1:9/n", apply_to: "flow_nodes" })).id;
    await answeredCall();
    const incoming = (await messages("call.incoming")).map((m) => m.event.data as { trigger: string; callee: { extension: string }; caller: { number: string } });
    expect(incoming.filter((d) => d.trigger === "ringing").map((d) => d.callee.extension)).toContain("101");
    expect(incoming.filter((d) => d.trigger === "answered")).toMatchObject([{ callee: { extension: "101" }, caller: { number: "+36301112233" } }]);
    expect((await deliveriesOf(ringing)).length).toBe(incoming.filter((d) => d.trigger === "ringing").length);
    const [answeredDelivery, ...more] = await deliveriesOf(answered);
    expect(more).toHaveLength(0);
    expect(answeredDelivery.expiresAt).toBeGreaterThan(h.clock.now());
    expect(await deliveriesOf(onlyAtNodes)).toHaveLength(0);
    for (const message of await messages("call.incoming")) expect(() => callIncomingWebhookSchema.parse(message.event)).not.toThrow();
  });

  it("a notify node queues one notification to its API, shaped like the every-call ones", async () => {
    const api = (await h.createApi({ kind: "incoming_notification", name: "Node", url: "http://127.0.0.1:9/n", apply_to: "flow_nodes" })).id;
    const callId = await placeIntoFlow("+36301112233", "+3612345678");
    await h.clock.advanceAsync(1_000);
    const view = runtime.pbx.getCall(callId)!;
    await runtime.integration.notify({
      outboundApiId: api,
      nodeId: "pop",
      call: { id: callId, conversationId: view.conversation_id, direction: "inbound", caller: { number: "+36301112233", numberRaw: "06301112233", name: null }, calledNumber: "+3612345678", startedAt: view.started_at, flowId: view.flow_id },
    });
    expect(await deliveriesOf(api)).toHaveLength(1);
    const [message] = await messages("call.incoming");
    expect(callIncomingWebhookSchema.parse(message.event).data).toMatchObject({ call_id: callId, leg_id: view.legs.at(-1)?.leg_id, callee: { number: "+3612345678" } });
    expect(message.event.data).toMatchObject({ node_id: "pop" });
  });

  it("sends a flow_nodes end-of-call API only the calls whose flow ran its send_call_data node; internal calls skip every-call APIs", async () => {
    const chosen = (await h.createApi({ kind: "end_of_call", name: "Chosen", url: "http://127.0.0.1:9/c", apply_to: "flow_nodes" })).id;
    const everyCall = (await h.createApi({ kind: "end_of_call", name: "All", url: "http://127.0.0.1:9/all", apply_to: "all_calls" })).id;
    const callId = await answeredCall();
    const view = runtime.pbx.getCall(callId)!;
    await runtime.integration.sendCallData({
      outboundApiId: chosen,
      nodeId: "send",
      call: { id: callId, conversationId: view.conversation_id, direction: "inbound", caller: { number: "+36301112233", numberRaw: "", name: null }, calledNumber: "+3612345678", startedAt: view.started_at, flowId: null },
    });
    runtime.pbx.hangupCall(callId);
    await flushPromises();
    expect(await deliveriesOf(chosen)).toHaveLength(1);

    const internal = runtime.pbx.placeInboundCall({ from: "101", to: "102" });
    await h.clock.advanceAsync(1_000);
    runtime.pbx.hangupCall(internal.callId);
    await flushPromises();
    expect(await deliveriesOf(chosen)).toHaveLength(1);
    expect(await deliveriesOf(everyCall)).toHaveLength(1);
  });

  it("writes nothing when the CDR's transaction fails: neither the CDR nor its message", async () => {
    await h.createApi({ kind: "end_of_call", name: "CDRs", url: "http://127.0.0.1:9/cdr", apply_to: "all_calls" });
    runtime.store.onConversationEnded.push(() => {
      throw new Error("disk full");
    });
    const callId = await answeredCall();
    runtime.pbx.hangupCall(callId);
    await flushPromises();
    expect(await finalCdrDocuments(callId)).toHaveLength(0);
    expect((await messages("call.ended")).filter((m) => (m.event.data as unknown as Cdr).is_final)).toHaveLength(0);
  });

  it("custom hooks receive the events they subscribed to, in the event's own transaction", async () => {
    const hook = (await h.createApi({ kind: "event_hook", name: "Agents", url: "http://127.0.0.1:9/h", events: ["agent.state_changed", "call.answered"] })).id;
    const agentId = runtime.directory.agents()[0].agentId;
    runtime.pbx.agentLogin(agentId);
    runtime.pbx.agentPause(agentId, "lunch");
    await answeredCall();
    const hooked = new Set((await deliveriesOf(hook)).map((d) => d.messageId));
    const types = (await messages()).filter((m) => hooked.has(m.id)).map((m) => m.type);
    expect(types.filter((t) => t === "agent.state_changed")).toHaveLength(2);
    expect(types).toContain("call.answered");
    expect(types).not.toContain("call.incoming");
  });
});
