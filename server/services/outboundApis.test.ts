import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { ZodError } from "zod";
import { integrationMessages, outboundApis } from "../db/schema";
import { createHarness, eventually, type Harness } from "../integration/testing/harness";
import { TestReceiver } from "../integration/testing/receiver";
import { sampleEvent } from "../integration/samples";
import { MINICRM_CALL_LOG_TEMPLATE, presets } from "../integration/presets";
import {
  createOutboundApi,
  getOutboundApi,
  listOutboundApis,
  previewResponseMapping,
  testOutboundApi,
  updateOutboundApi,
} from "./outboundApis";
import { endpointHealth, listDeliveries, resendDelivery, resendFailedSince } from "./deliveries";
import { serviceError } from "@/tests/helpers/errors";
import { callEndedWebhookSchema } from "../api/rest/schemas/webhooks";

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

/** Queues one message to the APIs through the outbox and waits until it is committed (PostgreSQL's record writer queues it). */
async function enqueue(...apiIds: string[]): Promise<string> {
  const messageId = h.integration.outbox.enqueue(sampleEvent("end_of_call"), apiIds.map((id) => h.integration.catalog.get(id)!)) as string;
  await h.durable();
  return messageId;
}

describe("outbound API configuration", () => {
  it("returns the signing secret once, seals CRM credentials at rest and shows only hints", async () => {
    const { outboundApi, signingSecret } = await createOutboundApi(h.db, {
      kind: "end_of_call",
      name: "CRM",
      url: receiver.url(),
      auth: { type: "basic", username: "switchboard", password: "very-secret-password" },
      body_template: null,
      body_secret: "api-key-0123456789",
    });
    expect(signingSecret).toMatch(/^whsec_[A-Za-z0-9+/=]{40,}$/);
    expect(outboundApi.auth).toEqual({ type: "basic", username: "switchboard", secret_hint: "••••word" });
    expect(outboundApi.body_secret_hint).toBe("••••6789");
    const everything = JSON.stringify([await listOutboundApis(h.db), await h.db.select().from(outboundApis)]);
    for (const secret of ["very-secret-password", "api-key-0123456789", signingSecret.slice(6)]) expect(everything).not.toContain(secret);
  });

  it("keeps a stored secret when an update leaves it out, and asks for one when the auth type changes", async () => {
    const { outboundApi } = await createOutboundApi(h.db, { kind: "data_lookup", name: "Look-up", url: receiver.url(), auth: { type: "bearer", token: "tok-123456789" } });
    const updated = await updateOutboundApi(h.db, outboundApi.id, { kind: "data_lookup", name: "Renamed", url: receiver.url(), auth: { type: "bearer" } });
    expect(updated).toMatchObject({ name: "Renamed", auth: { type: "bearer", secret_hint: "••••6789" } });
    const missing = await serviceError(() => updateOutboundApi(h.db, outboundApi.id, { kind: "data_lookup", name: "X", url: receiver.url(), auth: { type: "header", name: "X-Api-Key" } }));
    expect(missing.options).toMatchObject({ field: "auth.value", messageKey: "integration.errors.secretRequired" });
    expect((await serviceError(() => updateOutboundApi(h.db, outboundApi.id, { kind: "end_of_call", name: "X", url: receiver.url() }))).options.field).toBe("kind");
  });

  it("refuses bad input with a clear error and stores nothing", async () => {
    await expect(createOutboundApi(h.db, { kind: "end_of_call", name: "X", url: "ftp://crm.example.com" })).rejects.toThrow(ZodError);
    await expect(createOutboundApi(h.db, { kind: "end_of_call", name: "X", url: "https://user:pw@crm.example.com" })).rejects.toThrow(ZodError);
    await expect(createOutboundApi(h.db, { kind: "end_of_call", name: "X", url: "https://crm.example.com", headers: { "webhook-id": "x" } })).rejects.toThrow(ZodError);
    expect((await serviceError(() => createOutboundApi(h.db, { kind: "end_of_call", name: "X", url: "http://169.254.169.254/hook" }))).options.field).toBe("url");
    const template = await serviceError(() => createOutboundApi(h.db, { kind: "end_of_call", name: "X", url: receiver.url(), body_template: '{"n": {{ nope.really }} }' }));
    expect(template.options.field).toBe("body_template");
    const notJson = await serviceError(() => createOutboundApi(h.db, { kind: "end_of_call", name: "X", url: receiver.url(), body_template: "Number={{ summary.external_number }}" }));
    expect(notJson.message).toMatch(/valid JSON/);
    expect(await listOutboundApis(h.db)).toEqual([]);
  });

  it("sends MiniCRM's call-log format from the preset's template, with the API key from the template secret", async () => {
    const minicrm = presets.find((p) => p.id === "minicrm_call_log")!;
    const { id } = await h.createApi({ kind: "end_of_call", name: "MiniCRM", ...minicrm.values, url: receiver.url(), body_secret: "minicrm-key-42" } as never);
    expect((await getOutboundApi(h.db, id)).body_template).toBe(MINICRM_CALL_LOG_TEMPLATE);
    await enqueue(id);
    await h.integration.worker.runOnce();
    expect(JSON.parse(receiver.requests[0].body)).toEqual({
      ApiKey: "minicrm-key-42",
      UserExtension: "102",
      Data: [{ Number: "+36301112233", Duration: 127, CallType: 1, Date: "2026-11-24 09:00:00", ReferenceId: "SAMPLEcode00000000000000" }],
    });
    // The stored message keeps the standard payload; the key never enters the outbox.
    const stored = await h.db.select({ payload: integrationMessages.payload }).from(integrationMessages);
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain("minicrm-key-42");
  });

  it("leaves recordings out when the admin turned sending them off", async () => {
    const { id } = await h.createApi({ kind: "end_of_call", name: "No audio", url: receiver.url(), send_recordings: false });
    await enqueue(id);
    await h.integration.worker.runOnce();
    expect(JSON.parse(receiver.requests[0].body).data.recordings).toEqual([]);
  });

  it("links recordings as mp3 when the API asks for it, in the standard payload and in a template's summary", async () => {
    const mp3 = (await h.createApi({ kind: "end_of_call", name: "MP3", url: receiver.url(), recording_format: "mp3" })).id;
    const templated = (await h.createApi({
      kind: "end_of_call",
      name: "MP3 template",
      url: receiver.url(),
      recording_format: "mp3",
      body_template: '{"Rec": {{ summary.recording_url | json }}, "Format": {{ summary.recording_format | json }}}',
    })).id;
    const wav = (await h.createApi({ kind: "end_of_call", name: "WAV", url: receiver.url() })).id;
    expect((await getOutboundApi(h.db, mp3)).recording_format).toBe("mp3");
    expect((await getOutboundApi(h.db, wav)).recording_format).toBe("wav");
    await enqueue(mp3, templated, wav);
    await h.integration.worker.runOnce();
    const bodies = receiver.requests.map((request) => JSON.parse(request.body));
    const standardMp3 = bodies.find((body) => body.data?.recordings[0].format === "mp3");
    expect(callEndedWebhookSchema.parse(standardMp3).data.recordings).toEqual([
      { code: "SAMPLEcode00000000000000", url: "/api/v1/recordings/SAMPLEcode00000000000000?token=sample&format=mp3", duration_s: 127, format: "mp3", size_bytes: null, sha256: null },
    ]);
    expect(bodies).toContainEqual({ Rec: "/api/v1/recordings/SAMPLEcode00000000000000?token=sample&format=mp3", Format: "mp3" });
    expect(bodies.find((body) => body.data?.recordings[0].format === "wav")?.data.recordings[0].url).toBe("/api/v1/recordings/SAMPLEcode00000000000000?token=sample");
  });

  it("reads configs stored before the format choice existed as WAV", async () => {
    const { id } = await h.createApi({ kind: "end_of_call", name: "Old", url: receiver.url() });
    const [{ config }] = await h.db.select({ config: outboundApis.config }).from(outboundApis).where(eq(outboundApis.id, id));
    const { recording_format: storedFormat, ...stored } = config as Record<string, unknown>;
    expect(storedFormat).toBe("wav");
    const before = h.integration.catalog.get(id);
    await h.db.update(outboundApis).set({ config: stored }).where(eq(outboundApis.id, id));
    expect((await getOutboundApi(h.db, id)).recording_format).toBe("wav");
    // The catalogue's copy of the changed row: rebuilt on the next read on SQLite, reloaded on the notification on PostgreSQL.
    const reloaded = await eventually(() => h.integration.catalog.get(id) !== before && h.integration.catalog.get(id), "the catalogue to reload the API");
    expect(reloaded.config).toMatchObject({ kind: "end_of_call", recording_format: "wav" });
  });
});

describe("look-up chains on save", () => {
  const nothing = { extension: "", contact_id: "", contact_name: "", variables: "" };

  it("refuses a template host, a misspelt field or scope name, a fourth request and a bad user table, naming the field", async () => {
    const base = { kind: "data_lookup" as const, name: "Chain", method: "GET" as const };
    await expect(createOutboundApi(h.db, { ...base, url: "https://{{ variables.host }}/find" })).rejects.toThrow(ZodError);
    const misspelt = await serviceError(async () =>
      await createOutboundApi(h.db, {
        ...base,
        url: `${receiver.url("/c")}?q={{ call.caller.number | last_digits: 9 }}&who={{ variables.anything }}`,
        next_steps: [{ method: "GET", url: `${receiver.url("/p")}?c={{ fields.contatc_id }}`, body_template: null, response_mapping: nothing }],
      }),
    );
    expect(misspelt.options.field).toBe("next_steps.0.url");
    expect(misspelt.message).toMatch(/fields.contatc_id/);
    expect((await serviceError(() => createOutboundApi(h.db, { ...base, url: `${receiver.url("/c")}?n={{ call.caler.number }}` }))).options.field).toBe("url");
    const step = { method: "GET" as const, url: receiver.url("/p"), body_template: null, response_mapping: nothing };
    await expect(createOutboundApi(h.db, { ...base, url: receiver.url("/c"), next_steps: [step, step, step] })).rejects.toThrow(ZodError);
    await expect(createOutboundApi(h.db, { ...base, url: receiver.url("/c"), user_map: [{ crm_user_id: "1", extension: "101" }, { crm_user_id: "1", extension: "102" }] })).rejects.toThrow(ZodError);
    const saved = await createOutboundApi(h.db, {
      ...base,
      url: `${receiver.url("/c")}?q={{ call.caller.number | last_digits: 9 }}`,
      next_steps: [{ ...step, url: `${receiver.url("/p")}?c={{ fields.contact_id }}` }],
      user_map: [{ crm_user_id: "3200", crm_user_name: "Kiss Anna", extension: "102" }],
    });
    expect(await getOutboundApi(h.db, saved.outboundApi.id)).toMatchObject({ method: "GET", next_steps: [{ url: `${receiver.url("/p")}?c={{ fields.contact_id }}` }], user_map: [{ crm_user_id: "3200", extension: "102" }] });
  });
});

describe("the Test button", () => {
  it("shows the request with credentials masked, and the reply", async () => {
    const { id } = await h.createApi({ kind: "data_lookup", name: "Look-up", url: receiver.url(), auth: { type: "bearer", token: "tok-secret-42" } });
    receiver.respond = () => ({ status: 200, headers: { "x-crm": "demo" }, body: JSON.stringify({ extension: "102", contact: { name: "Varga László" } }) });
    const report = await testOutboundApi(h.db, id);
    expect(receiver.requests[0].headers.authorization).toBe("Bearer tok-secret-42");
    expect(report).toMatchObject({ ok: true, request: { method: "POST", headers: { authorization: "Bearer ••••" } }, response: { status: 200, headers: { "x-crm": "demo" } } });
    expect(report.lookup?.result).toEqual({ status: "found", extension: "102", contact: { name: "Varga László" } });
    expect(report.lookup?.steps).toMatchObject([{ outcome: "found", response: { status: 200 }, mapped: { extension: "102" } }]);
    expect(JSON.parse(report.request.body).type).toBe("call.lookup");
  });

  it("names a connection failure in plain terms", async () => {
    const { id } = await h.createApi({ kind: "end_of_call", name: "Down", url: receiver.url() });
    await receiver.close();
    const report = await testOutboundApi(h.db, id);
    expect(report).toMatchObject({ ok: false, response: null, error: { class: "connection_refused" } });
  });

  it("previews a response mapping against a pasted reply", () => {
    const mapping = { extension: "$.owner.ext", contact_id: "$.id", contact_name: "$.name", variables: "" };
    expect(previewResponseMapping({ mapping, sample: '{"id": 5, "name": "Kiss Anna", "owner": {"ext": "103"}}' })).toEqual({
      valid_json: true,
      result: { found: true, matched: true, extension: "103", contact: { id: "5", name: "Kiss Anna" }, problems: [] },
    });
    expect(previewResponseMapping({ mapping, sample: "{not json" })).toEqual({ valid_json: false, result: null });
    expect(previewResponseMapping({ mapping: { ...mapping, extension: "$[?(@.x)]" }, sample: "{}" }).result?.problems[0].field).toBe("extension");
  });
});

describe("delivery log", () => {
  it("resends a dead delivery with the same webhook-id; look-ups and queued ones cannot be resent", async () => {
    const { id } = await h.createApi({ kind: "end_of_call", name: "CRM", url: receiver.url(), retry: { count: 0, intervals_s: [5] } });
    const messageId = await enqueue(id);
    receiver.respond = () => ({ status: 500 });
    await h.integration.worker.runOnce();
    const [dead] = (await listDeliveries(h.db, { outbound_api_id: id, status: "dead" })).items;
    expect(dead).toMatchObject({ message_id: messageId, attempt_count: 1 });
    expect(await endpointHealth(h.db, h.clock)).toMatchObject([{ outbound_api_id: id, state: "failing", dead_24h: 1, last_error_class: "http_status" }]);

    receiver.respond = () => ({ status: 200 });
    expect((await resendDelivery(h.db, dead.id, h.clock)).status).toBe("pending");
    expect((await serviceError(() => resendDelivery(h.db, dead.id, h.clock))).code).toBe("conflict");
    await h.integration.worker.runOnce();
    expect(receiver.requests.map((r) => r.headers["webhook-id"])).toEqual([messageId, messageId]);
    expect((await listDeliveries(h.db, { outbound_api_id: id })).items[0]).toMatchObject({ status: "succeeded", attempts: [{ status_code: 500 }, { status_code: 200 }] });
    expect((await endpointHealth(h.db, h.clock))[0].state).toBe("ok");

    const lookup = (await h.createApi({ kind: "data_lookup", name: "L", url: receiver.url() })).id;
    await h.integration.port.lookup({ outboundApiId: lookup, nodeId: "n", variables: {}, call: { id: "c", conversationId: "v", direction: "inbound", caller: { number: "+361", numberRaw: "", name: null }, calledNumber: "+362", startedAt: "", flowId: null } });
    await h.integration.lookups.logged();
    const [logged] = (await listDeliveries(h.db, { outbound_api_id: lookup })).items;
    expect((await serviceError(() => resendDelivery(h.db, logged.id, h.clock))).code).toBe("precondition_failed");
  });

  it("resends every failed delivery since a time, and filters the log", async () => {
    const { id } = await h.createApi({ kind: "end_of_call", name: "CRM", url: receiver.url(), retry: { count: 0, intervals_s: [5] } });
    receiver.respond = () => ({ status: 400 });
    const cutoff = new Date(h.clock.now()).toISOString();
    for (let i = 0; i < 3; i++) await enqueue(id);
    await h.integration.worker.runOnce();
    expect((await listDeliveries(h.db, { status: "dead" })).total).toBe(3);
    expect((await listDeliveries(h.db, { status: "dead", since: new Date(h.clock.now() + 1).toISOString() })).total).toBe(0);
    expect(await resendFailedSince(h.db, { since: cutoff, outbound_api_id: id }, h.clock)).toEqual({ resent: 3 });
    expect((await listDeliveries(h.db, { status: "pending", event_type: "call.ended" })).total).toBe(3);
  });
});
