import net from "node:net";
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Webhook } from "standardwebhooks";
import type { OutboundApiInput } from "@/lib/schemas/integration";
import { outboundApis } from "../db/schema";
import { createHarness, eventually, sampleCall, type Harness } from "./testing/harness";
import { TestReceiver } from "./testing/receiver";
import { listDeliveries } from "../services/deliveries";
import { callLookupWebhookSchema } from "../api/rest/schemas/webhooks";

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

const call = sampleCall;

async function lookupApi(overrides: Partial<Extract<OutboundApiInput, { kind: "data_lookup" }>> = {}): Promise<string> {
  return (await h.createApi({ kind: "data_lookup", name: "Owner look-up", url: receiver.url("/lookup"), ...overrides })).id;
}

/** A look-up, and its exchange in the delivery log: the log is written right after the answer. */
async function ask(outboundApiId: string) {
  const result = await h.integration.port.lookup({ outboundApiId, call, nodeId: "lookup", variables: { customer_id: "42" } });
  await h.integration.lookups.logged();
  return result;
}

describe("data look-up", () => {
  it("sends a signed call.lookup, reads the documented reply shape, and logs the exchange", async () => {
    const { id, signingSecret } = await h.createApi({ kind: "data_lookup", name: "Owner", url: receiver.url("/lookup") });
    receiver.respond = () => ({ status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ extension: "102", contact: { id: "7", name: "Varga László" }, variables: { vip: true } }) });
    expect(await ask(id)).toEqual({ status: "found", extension: "102", contact: { id: "7", name: "Varga László" }, variables: { vip: true } });
    const [request] = receiver.requests;
    const event = new Webhook(signingSecret).verify(request.body, request.headers as Record<string, string>) as { type: string; data: Record<string, unknown> };
    expect(() => callLookupWebhookSchema.parse(event)).not.toThrow();
    expect(event.data).toMatchObject({ call_id: "call_1", caller: { number: "+36301112233", number_raw: "06301112233" }, node_id: "lookup", variables: { customer_id: "42" } });
    const { items } = await listDeliveries(h.db, { outbound_api_id: id });
    expect(items).toMatchObject([{ event_type: "call.lookup", status: "succeeded", attempts: [{ status_code: 200 }] }]);
  });

  it("maps another CRM's reply shape with JSONPath, and reports 404 or an empty object as not found", async () => {
    const id = await lookupApi({
      response_mapping: { extension: "$.data.owner.ext", contact_id: "$.data.id", contact_name: "$.data.fullName", variables: "$.data.extra" },
    });
    receiver.respond = (_r, index) =>
      index === 0 ? { status: 200, body: JSON.stringify({ data: { id: 9, fullName: "Kiss Anna", owner: { ext: 103 }, extra: { tier: "gold" } } }) } : index === 1 ? { status: 404 } : { status: 200, body: "{}" };
    expect(await ask(id)).toEqual({ status: "found", extension: "103", contact: { id: "9", name: "Kiss Anna" }, variables: { tier: "gold" } });
    expect(await ask(id)).toEqual({ status: "not_found" });
    expect(await ask(id)).toEqual({ status: "not_found" });
  });

  it("takes the error branch on bad JSON or a 5xx, or not_found with the fallback's variables when configured so", async () => {
    const id = await lookupApi();
    receiver.respond = (_r, index) => (index === 0 ? { status: 200, body: "<html>" } : { status: 500 });
    expect(await ask(id)).toEqual({ status: "error", error: "the reply is not valid JSON" });
    expect(await ask(id)).toEqual({ status: "error", error: "HTTP 500" });
    const lenient = await lookupApi({ fallback: { branch: "not_found", variables: { crm_down: "1" } } });
    expect(await ask(lenient)).toEqual({ status: "not_found", variables: { crm_down: "1" } });
    expect((await listDeliveries(h.db, { outbound_api_id: id })).items.map((d) => d.last_error_class).sort()).toEqual(["bad_response", "http_status"]);
  });

  it("gives up at the budget on a silent CRM (fallback branch), and the breaker opens after five failures", async () => {
    const id = await lookupApi({ timeout_ms: 3_000 });
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
    expect((await listDeliveries(h.db, { outbound_api_id: id })).items.filter((d) => d.last_error_class === "circuit_open")).toHaveLength(1);
  });

  it("retries a refused connection within the budget, and only that", async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    const id = await lookupApi({ url: `http://127.0.0.1:${port}/lookup`, timeout_ms: 1_000 });
    const late = new TestReceiver();
    late.respond = () => ({ status: 200, body: JSON.stringify({ extension: "104" }) });
    const errors: Array<string | undefined> = [];
    const send = h.integration.sender.send.bind(h.integration.sender);
    h.integration.sender.send = async (...args) => {
      const result = await send(...args);
      errors.push(result.error?.class);
      return result;
    };
    try {
      const pending = ask(id);
      await eventually(() => errors.includes("connection_refused"), "the refused attempt");
      await late.listen(port);
      h.clock.advance(100);
      expect(await pending).toMatchObject({ status: "found", extension: "104" });
      const [logged] = (await listDeliveries(h.db, { outbound_api_id: id })).items;
      expect(logged.attempts.map((a) => a.error_class)).toEqual(["connection_refused", null]);
    } finally {
      await late.close();
    }
  });

  it("refuses to evaluate script filters in a mapping", async () => {
    const id = await lookupApi({ response_mapping: { extension: "$..[?(@.constructor.constructor('return process')())]", contact_id: "", contact_name: "", variables: "" } });
    receiver.respond = () => ({ status: 200, body: JSON.stringify({ a: { b: 1 } }) });
    expect(await ask(id)).toEqual({ status: "not_found" });
  });
});

describe("a chain of templated look-up requests", () => {
  async function askWith(outboundApiId: string, variables: Record<string, unknown>) {
    const result = await h.integration.port.lookup({ outboundApiId, call, nodeId: "lookup", variables });
    await h.integration.lookups.logged();
    return result;
  }

  const nothing = { extension: "", contact_id: "", contact_name: "", variables: "" };

  it("URL-encodes every value it inserts, so a caller or variable cannot add parameters, fragments or path segments", async () => {
    const id = await lookupApi({ method: "GET", url: `${receiver.url("/find")}/{{ variables.v }}?q={{ variables.v }}&n={{ call.caller.number }}&d={{ call.caller.number | last_digits: 9 }}&nat={{ call.caller.national }}` });
    receiver.respond = () => ({ status: 200, body: JSON.stringify({ extension: "102" }) });
    expect(await askWith(id, { v: "a&x=1#frag\n/b?c" })).toMatchObject({ status: "found" });
    expect(receiver.requests[0]).toMatchObject({ method: "GET", body: "", url: "/find/a%26x%3D1%23frag%0A%2Fb%3Fc?q=a%26x%3D1%23frag%0A%2Fb%3Fc&n=%2B36301112233&d=301112233&nat=06301112233" });
  });

  it("refuses a value that would make a dot segment, and a header value with a line break: fallback, the reason in the log, nothing sent", async () => {
    const pathId = await lookupApi({ method: "GET", url: `${receiver.url("/contacts")}/{{ variables.v }}/card` });
    expect(await askWith(pathId, { v: ".." })).toEqual({ status: "error", error: "a value inserted into the URL made a '.' or '..' path segment" });
    const headerId = await lookupApi({ headers: { "X-Customer": "{{ variables.v }}" } });
    expect(await askWith(headerId, { v: "1\r\nX-Evil: yes" })).toMatchObject({ status: "error", error: expect.stringMatching(/line break/) });
    const unknownId = await lookupApi({ method: "GET", url: `${receiver.url("/c")}?id={{ variables.missing }}` });
    expect(await askWith(unknownId, {})).toMatchObject({ status: "error", error: expect.stringMatching(/undefined variable: variables.missing/) });
    expect(receiver.requests).toHaveLength(0);
    expect((await listDeliveries(h.db, { outbound_api_id: unknownId })).items[0]).toMatchObject({ status: "failed", last_error_class: "template", last_error: expect.stringMatching(/variables.missing/) });
  });

  it("passes each step's mapped fields to the next step, body templates included", async () => {
    const id = await lookupApi({
      method: "GET",
      url: `${receiver.url("/contacts")}?phone={{ call.caller.number }}`,
      response_mapping: { ...nothing, contact_id: "$.items[0].id", contact_name: "$.items[0].name", fields: { account: "$.items[0].account" } },
      next_steps: [
        {
          method: "POST",
          url: `${receiver.url("/accounts")}/{{ fields.account }}/owner`,
          body_template: '{"contact": {{ fields.contact_id | json }}}',
          response_mapping: { ...nothing, owner_user_id: "$.owner" },
        },
      ],
      user_map: [{ crm_user_id: "u-7", extension: "107" }],
    });
    receiver.respond = (_r, index) =>
      index === 0 ? { status: 200, body: JSON.stringify({ items: [{ id: 55, name: "Kiss Anna", account: "acc 9" }] }) } : { status: 200, body: JSON.stringify({ owner: "u-7" }) };
    expect(await askWith(id, {})).toEqual({ status: "found", extension: "107", contact: { id: "55", name: "Kiss Anna" } });
    expect(receiver.requests.map((r) => `${r.method} ${r.url} ${r.body}`)).toEqual(["GET /contacts?phone=%2B36301112233 ", 'POST /accounts/acc%209/owner {"contact": "55"}']);
  });

  it("shares one budget across the steps: the second step gets only what the first left", async () => {
    const id = await lookupApi({
      method: "GET",
      timeout_ms: 1_000,
      response_mapping: { ...nothing, contact_id: "$.id" },
      next_steps: [{ method: "GET", url: `${receiver.url("/owner")}?c={{ fields.contact_id }}`, body_template: null, response_mapping: { ...nothing, extension: "$.ext" } }],
    });
    receiver.respond = (_r, index) => (index === 0 ? { status: 200, body: JSON.stringify({ id: 1 }), delayMs: 30 } : "hang");
    const asked = h.clock.now();
    const pending = askWith(id, {});
    await receiver.waitFor(1);
    h.clock.advance(700);
    await receiver.waitFor(2);
    h.clock.advance(299);
    await new Promise((resolve) => setTimeout(resolve, 20));
    h.clock.advance(1);
    expect(await pending).toEqual({ status: "error", error: "timeout" });
    expect(h.clock.now() - asked).toBe(1_000);
    const [logged] = (await listDeliveries(h.db, { outbound_api_id: id })).items;
    expect(logged.attempts.map((a) => a.status_code ?? a.error_class)).toEqual([200, "timeout"]);
  });

  it("a later step's failure takes the fallback, even after an earlier step found the contact", async () => {
    const id = await lookupApi({
      response_mapping: { ...nothing, contact_id: "$.id" },
      next_steps: [{ method: "GET", url: `${receiver.url("/owner")}?c={{ fields.contact_id }}`, body_template: null, response_mapping: { ...nothing, extension: "$.ext" } }],
      fallback: { branch: "not_found", variables: { crm_down: "1" } },
    });
    receiver.respond = (_r, index) => (index === 0 ? { status: 200, body: JSON.stringify({ id: 1 }) } : { status: 502 });
    expect(await askWith(id, {})).toEqual({ status: "not_found", variables: { crm_down: "1" } });
  });

  it("checks the network policy on the rendered URL at connect time", async () => {
    const strict = await createHarness({ policy: "public-only" });
    try {
      const id = (await strict.createApi({ kind: "data_lookup", name: "Loopback", method: "GET", url: `${receiver.url("/c")}?n={{ call.caller.number }}` })).id;
      const result = await strict.integration.port.lookup({ outboundApiId: id, call, nodeId: "lookup", variables: {} });
      expect(result).toMatchObject({ status: "error", error: expect.stringMatching(/OUTBOUND_NETWORK=public-only/) });
      expect(receiver.requests).toHaveLength(0);
    } finally {
      await strict.cleanup();
    }
  });

  it("still reads a look-up stored by an older version (one request, no steps, no user map) as a one-step chain", async () => {
    const id = await lookupApi();
    const legacy = {
      url: receiver.url("/lookup"),
      method: "POST",
      auth: { type: "none" },
      headers: {},
      apply_to: "flow_nodes",
      body_template: null,
      preset: null,
      timeout_ms: 3000,
      response_mapping: { extension: "$.extension", contact_id: "$.contact.id", contact_name: "$.contact.name", contact_company: "$.contact.company", contact_url: "$.contact.url", variables: "$.variables" },
      fallback: { branch: "error", variables: {} },
    };
    const stored = h.integration.catalog.get(id);
    // A hand edit: the stored document is older than the schema the column is typed with.
    await h.db.update(outboundApis).set({ config: legacy as unknown as typeof outboundApis.$inferInsert.config }).where(eq(outboundApis.id, id));
    await eventually(() => h.integration.catalog.get(id) !== stored, "the catalogue to reload");
    receiver.respond = () => ({ status: 200, body: JSON.stringify({ extension: "102", contact: { name: "Varga László" } }) });
    expect(await ask(id)).toEqual({ status: "found", extension: "102", contact: { name: "Varga László" } });
    expect(JSON.parse(receiver.requests[0].body)).toMatchObject({ type: "call.lookup" });
    expect(h.integration.catalog.get(id)?.config).toMatchObject({ next_steps: [], user_map: [], response_mapping: { owner_user_id: "", fields: {} } });
  });
});
