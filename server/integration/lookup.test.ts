import net from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Webhook } from "standardwebhooks";
import type { CallInfo } from "@/flows/runtime/ports";
import type { OutboundApiInput } from "@/lib/schemas/integration";
import { createHarness, type Harness } from "./testing/harness";
import { TestReceiver } from "./testing/receiver";
import { listDeliveries } from "../services/deliveries";
import { callLookupWebhookSchema } from "../api/rest/schemas/webhooks";

let h: Harness;
let receiver: TestReceiver;

beforeEach(async () => {
  h = createHarness();
  receiver = new TestReceiver();
  await receiver.listen();
});
afterEach(async () => {
  await receiver.close();
  await h.cleanup();
});

const call: CallInfo = {
  id: "call_1",
  conversationId: "conv_1",
  direction: "inbound",
  caller: { number: "+36301112233", numberRaw: "06301112233", name: null },
  calledNumber: "+3612345678",
  startedAt: new Date().toISOString(),
  flowId: "flw_1",
};

function lookupApi(overrides: Partial<Extract<OutboundApiInput, { kind: "data_lookup" }>> = {}): string {
  return h.createApi({ kind: "data_lookup", name: "Owner look-up", url: receiver.url("/lookup"), ...overrides }).id;
}

/** A look-up, then one turn of the event loop: the log is written right after the answer. */
async function ask(outboundApiId: string) {
  const result = await h.integration.port.lookup({ outboundApiId, call, nodeId: "lookup", variables: { customer_id: "42" } });
  await new Promise((resolve) => setImmediate(resolve));
  return result;
}

describe("data look-up", () => {
  it("sends a signed call.lookup, reads the documented reply shape, and logs the exchange", async () => {
    const { id, signingSecret } = h.createApi({ kind: "data_lookup", name: "Owner", url: receiver.url("/lookup") });
    receiver.respond = () => ({ status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ extension: "102", contact: { id: "7", name: "Varga László" }, variables: { vip: true } }) });
    expect(await ask(id)).toEqual({ status: "found", extension: "102", contact: { id: "7", name: "Varga László" }, variables: { vip: true } });
    const [request] = receiver.requests;
    const event = new Webhook(signingSecret).verify(request.body, request.headers as Record<string, string>) as { type: string; data: Record<string, unknown> };
    expect(() => callLookupWebhookSchema.parse(event)).not.toThrow();
    expect(event.data).toMatchObject({ call_id: "call_1", caller: { number: "+36301112233", number_raw: "06301112233" }, node_id: "lookup", variables: { customer_id: "42" } });
    const { items } = listDeliveries(h.db, { outbound_api_id: id });
    expect(items).toMatchObject([{ event_type: "call.lookup", status: "succeeded", attempts: [{ status_code: 200 }] }]);
  });

  it("maps another CRM's reply shape with JSONPath, and reports 404 or an empty object as not found", async () => {
    const id = lookupApi({
      response_mapping: { extension: "$.data.owner.ext", contact_id: "$.data.id", contact_name: "$.data.fullName", variables: "$.data.extra" },
    });
    receiver.respond = (_r, index) =>
      index === 0 ? { status: 200, body: JSON.stringify({ data: { id: 9, fullName: "Kiss Anna", owner: { ext: 103 }, extra: { tier: "gold" } } }) } : index === 1 ? { status: 404 } : { status: 200, body: "{}" };
    expect(await ask(id)).toEqual({ status: "found", extension: "103", contact: { id: "9", name: "Kiss Anna" }, variables: { tier: "gold" } });
    expect(await ask(id)).toEqual({ status: "not_found" });
    expect(await ask(id)).toEqual({ status: "not_found" });
  });

  it("takes the error branch on bad JSON or a 5xx, or not_found with the fallback's variables when configured so", async () => {
    const id = lookupApi();
    receiver.respond = (_r, index) => (index === 0 ? { status: 200, body: "<html>" } : { status: 500 });
    expect(await ask(id)).toEqual({ status: "error", error: "the reply is not valid JSON" });
    expect(await ask(id)).toEqual({ status: "error", error: "HTTP 500" });
    const lenient = lookupApi({ fallback: { branch: "not_found", variables: { crm_down: "1" } } });
    expect(await ask(lenient)).toEqual({ status: "not_found", variables: { crm_down: "1" } });
    expect(listDeliveries(h.db, { outbound_api_id: id }).items.map((d) => d.last_error_class).sort()).toEqual(["bad_response", "http_status"]);
  });

  it("gives up at the budget on a silent CRM (fallback branch), and the breaker opens after five failures", async () => {
    const id = lookupApi({ timeout_ms: 3_000 });
    receiver.respond = () => "hang";
    for (let i = 1; i <= 5; i++) {
      const pending = ask(id);
      await receiver.waitFor(i);
      const asked = h.clock.now();
      h.clock.advance(2_999);
      h.clock.advance(1);
      expect(await pending).toEqual({ status: "error", error: "timeout" });
      expect(h.clock.now() - asked).toBe(3_000);
    }
    // Open: answered at once, the CRM is not asked.
    expect(await ask(id)).toMatchObject({ status: "error", error: expect.stringMatching(/paused/) });
    expect(receiver.requests).toHaveLength(5);
    expect(h.integration.lookups.breakerOf(id).state).toBe("open");
    // After 30 s one trial request goes out; a good answer closes the breaker.
    h.clock.advance(30_000);
    receiver.respond = () => ({ status: 200, body: JSON.stringify({ extension: "102" }) });
    expect(await ask(id)).toMatchObject({ status: "found", extension: "102" });
    expect(h.integration.lookups.breakerOf(id).state).toBe("closed");
    expect(listDeliveries(h.db, { outbound_api_id: id }).items.filter((d) => d.last_error_class === "circuit_open")).toHaveLength(1);
  });

  it("retries a refused connection within the budget, and only that", async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    const id = lookupApi({ url: `http://127.0.0.1:${port}/lookup`, timeout_ms: 1_000 });
    const late = new TestReceiver();
    late.respond = () => ({ status: 200, body: JSON.stringify({ extension: "104" }) });
    try {
      const pending = ask(id);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await late.listen(port);
      h.clock.advance(100);
      expect(await pending).toMatchObject({ status: "found", extension: "104" });
      const [logged] = listDeliveries(h.db, { outbound_api_id: id }).items;
      expect(logged.attempts.map((a) => a.error_class)).toEqual(["connection_refused", null]);
    } finally {
      await late.close();
    }
  });

  it("refuses to evaluate script filters in a mapping", async () => {
    const id = lookupApi({ response_mapping: { extension: "$..[?(@.constructor.constructor('return process')())]", contact_id: "", contact_name: "", variables: "" } });
    receiver.respond = () => ({ status: 200, body: JSON.stringify({ a: { b: 1 } }) });
    expect(await ask(id)).toEqual({ status: "not_found" });
  });
});
