import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CallInfo } from "@/flows/runtime/ports";
import type { OutboundApiInput } from "@/lib/schemas/integration";
import { HubSpotMock } from "@/crm-demo/mocks/hubspot";
import { MiniCrmMock } from "@/crm-demo/mocks/minicrm";
import { PipedriveMock } from "@/crm-demo/mocks/pipedrive";
import { listDeliveries } from "../services/deliveries";
import { setSetting, settingKeys } from "../services/settings";
import { loadOutboundApiUsers, testOutboundApi } from "../services/outboundApis";
import { createIntegration } from "./index";
import { parseNetworkPolicy } from "./networkPolicy";
import { createHarness, silentLogger, type Harness } from "./testing/harness";
import { presets } from "./presets";
import { sampleCdr, sampleEvent } from "./samples";

/**
 * The ready connectors against mocks that follow each CRM's documented
 * requests and replies: a change that breaks a CRM's format fails here.
 */
let h: Harness;
let minicrm: MiniCrmMock;
let base: string;

const VARGA = { Id: 4001, Name: "Varga László", Phone: "06-30 / 111-2233" };
const MOLNAR = { Id: 4002, Name: "Molnár Katalin", Phone: "+36 20 987 6543" };
const NO_PROJECT = { Id: 4003, Name: "Kovács Béla", Phone: "06 70 555 1234" };

beforeEach(async () => {
  h = await createHarness();
  minicrm = new MiniCrmMock({
    systemId: "12345",
    apiKey: "minicrm-api-key",
    voipKey: "minicrm-voip-key",
    contacts: [VARGA, MOLNAR, NO_PROJECT],
    projects: [
      { Id: 9001, ContactId: VARGA.Id, UserId: 3200, Name: "Varga – renewal" },
      { Id: 9002, ContactId: MOLNAR.Id, UserId: 3300, Name: "Molnár – fleet" },
    ],
  });
  base = await minicrm.listen();
});
afterEach(async () => {
  await minicrm.close();
  await h.cleanup();
});

function call(number: string, conversationId = "conv_1"): CallInfo {
  return { id: `call_${conversationId}`, conversationId, direction: "inbound", caller: { number, numberRaw: number, name: null }, calledNumber: "+3612345678", startedAt: new Date().toISOString(), flowId: "flw_1" };
}

type LookupInput = Extract<OutboundApiInput, { kind: "data_lookup" }>;

/** The preset exactly as the form lays it down, pointed at the mock, with the admin's keys and user table. */
async function minicrmLookup(overrides: Partial<LookupInput> = {}): Promise<string> {
  const preset = presets.find((p) => p.id === "minicrm_lookup")!;
  const values = structuredClone(preset.values) as LookupInput;
  const toMock = (url: string) => url.replace("https://r3.minicrm.hu", base);
  return (await h.createApi({
    ...values,
    kind: "data_lookup",
    name: "MiniCRM",
    preset: preset.id,
    url: toMock(values.url),
    next_steps: values.next_steps?.map((step) => ({ ...step, url: toMock(step.url) })),
    auth: { type: "basic", username: "12345", password: "minicrm-api-key" },
    user_map: [
      { crm_user_id: "3200", crm_user_name: "Kiss Anna", extension: "102" },
      { crm_user_id: "3300", extension: "103" },
    ],
    ...overrides,
  })).id;
}

async function ask(id: string, number: string, conversationId?: string) {
  const result = await h.integration.port.lookup({ outboundApiId: id, call: call(number, conversationId), nodeId: "lookup", variables: {} });
  await h.integration.lookups.logged();
  return result;
}

/** One round of the worker over what was queued so far (on PostgreSQL, once the outbox's writes are committed). */
async function deliverQueued(): Promise<void> {
  await h.durable();
  await h.integration.worker.runOnce();
}

type EndOfCallInput = Extract<OutboundApiInput, { kind: "end_of_call" }>;
const PUBLIC_ADDRESS = "https://pbx.example.hu";

/** A call-log preset as the form lays it down, pointed at the mock, with the admin's credentials typed in and the public address set under Settings (as the guide asks). */
async function callLogApi(presetId: string, crmOrigin: string, mockUrl: string, auth: EndOfCallInput["auth"]): Promise<string> {
  const preset = presets.find((p) => p.id === presetId)!;
  const values = structuredClone(preset.values) as EndOfCallInput;
  await setSetting(h.db, settingKeys.publicUrl, PUBLIC_ADDRESS);
  return (await h.createApi({
    ...values,
    kind: "end_of_call",
    name: preset.label.en,
    preset: preset.id,
    url: values.url.replace(crmOrigin, mockUrl),
    auth,
  })).id;
}

/**
 * The conversation ends (its final CDR queued with the contact its look-up
 * found), then the process restarts before anything is delivered: a fresh
 * integration on the same database, with nothing in memory, delivers it.
 */
async function hangUpAndDeliverAfterRestart(conversationIds: string[]): Promise<void> {
  for (const conversationId of conversationIds) h.integration.outbox.conversationEnded({ ...sampleCdr(), conversation_id: conversationId, call_id: `call_${conversationId}` });
  await h.durable();
  // The old process's worker stops (its sender is closed by the harness); its memory is not reused.
  await h.integration.worker.stop();
  const restarted = createIntegration({ db: h.db, clock: h.clock, logger: silentLogger, policy: parseNetworkPolicy("allow-lan"), random: () => 1 });
  try {
    await restarted.worker.runOnce();
  } finally {
    await restarted.stop();
  }
}

describe("MiniCRM connector: look-up", () => {
  it("finds the contact by the last 9 digits, its project's responsible user, and rings that user's extension", async () => {
    const id = await minicrmLookup();
    expect(await ask(id, "+36301112233")).toEqual({ status: "found", extension: "102", contact: { id: "4001", name: "Varga László" } });
    expect(minicrm.requests.map((r) => `${r.method} ${r.url}`)).toEqual(["GET /Api/R3/Contact?Query=301112233", "GET /Api/R3/Project?ContactId=4001"]);
    expect(minicrm.requests[0].headers.authorization).toBe(`Basic ${Buffer.from("12345:minicrm-api-key").toString("base64")}`);
    expect(minicrm.requests.every((r) => r.body === "")).toBe(true);
    expect(await ask(id, "+36209876543")).toMatchObject({ status: "found", extension: "103" });
    // Both requests are in the look-up's delivery log entry.
    expect((await listDeliveries(h.db, { outbound_api_id: id })).items[0]).toMatchObject({ status: "succeeded", attempts: [{ status_code: 200 }, { status_code: 200 }] });
  });

  it("answers not_found for an unknown number (MiniCRM's empty Results), without a second request", async () => {
    const id = await minicrmLookup();
    expect(await ask(id, "+36309999999")).toEqual({ status: "not_found" });
    expect(minicrm.requests).toHaveLength(1);
  });

  it("keeps the contact when no one can be routed to: no project, or an owner missing from the user table", async () => {
    const id = await minicrmLookup();
    expect(await ask(id, "+36705551234")).toEqual({ status: "not_found", contact: { id: "4003", name: "Kovács Béla" } });
    const partial = await minicrmLookup({ user_map: [{ crm_user_id: "3200", extension: "102" }] });
    expect(await ask(partial, "+36209876543")).toEqual({ status: "not_found", contact: { id: "4002", name: "Molnár Katalin" } });
  });

  it("takes the fallback when MiniCRM refuses the key, and the Test button says so in MiniCRM's words", async () => {
    const id = await minicrmLookup({ auth: { type: "basic", username: "12345", password: "wrong-key" } });
    expect(await ask(id, "+36301112233")).toEqual({ status: "error", error: "HTTP 401" });
    const report = await testOutboundApi(h.db, id, { callerNumber: "06 30 111 2233" });
    expect(report.ok).toBe(false);
    expect(report.crm_message?.en).toBe("MiniCRM refused the API key (401). Check the System ID and the API key.");
    expect(report.crm_message?.hu).toMatch(/^A MiniCRM elutasította az API-kulcsot \(401\)/);
  });

  it("takes the fallback inside the budget when MiniCRM is down or rate-limiting", async () => {
    const id = await minicrmLookup({ fallback: { branch: "not_found", variables: { crm_down: "1" } } });
    minicrm.mode = "down";
    expect(await ask(id, "+36301112233")).toEqual({ status: "not_found", variables: { crm_down: "1" } });
    minicrm.mode = "rate_limited";
    expect(await ask(id, "+36301112233")).toEqual({ status: "not_found", variables: { crm_down: "1" } });
  });

  it("Test with a number shows every step and the extension and contact the call would go to", async () => {
    const id = await minicrmLookup();
    const report = await testOutboundApi(h.db, id, { callerNumber: "06 30 111 2233" });
    expect(report.ok).toBe(true);
    expect(report.lookup?.result).toEqual({ status: "found", extension: "102", contact: { id: "4001", name: "Varga László" } });
    expect(report.lookup?.steps).toMatchObject([
      { request: { method: "GET", url: `${base}/Api/R3/Contact?Query=301112233`, headers: { authorization: "Basic ••••" } }, response: { status: 200 }, outcome: "next", mapped: { contact: { id: "4001" } } },
      { request: { url: `${base}/Api/R3/Project?ContactId=4001` }, response: { status: 200 }, outcome: "found", mapped: { owner_user_id: "3200" } },
    ]);
    await expect(testOutboundApi(h.db, id, { callerNumber: "not a number" })).rejects.toMatchObject({ options: { field: "caller_number" } });
  });
});

describe("MiniCRM connector: call log", () => {
  it("keeps the call log through a 429: waits as long as Retry-After asks, then delivers it in MiniCRM's CallLog format", async () => {
    const preset = presets.find((p) => p.id === "minicrm_call_log")!;
    const { id } = await h.createApi({ ...(preset.values as object), kind: "end_of_call", name: "MiniCRM call log", url: `${base}/Api/CallLog`, body_secret: "minicrm-voip-key" } as OutboundApiInput);
    minicrm.mode = "rate_limited";
    minicrm.retryAfterS = 60;
    h.integration.outbox.enqueue(sampleEvent("end_of_call"), [h.integration.catalog.get(id)!]);
    const start = h.clock.now();
    await deliverQueued();
    const [pending] = (await listDeliveries(h.db, { outbound_api_id: id })).items;
    expect(pending).toMatchObject({ status: "pending", last_status_code: 429 });
    expect(Date.parse(pending.next_attempt_at ?? "")).toBe(start + 60_000);
    minicrm.mode = "normal";
    h.clock.advance(60_000);
    await deliverQueued();
    expect(minicrm.callLogs).toEqual([
      { ApiKey: "minicrm-voip-key", UserExtension: "102", Data: [{ Number: "+36301112233", Duration: 127, CallType: 1, Date: "2026-11-24 09:00:00", ReferenceId: "SAMPLEcode00000000000000" }] },
    ]);
  });
});

describe("HubSpot connector: look-up and call log", () => {
  let hubspot: HubSpotMock;
  let hubspotUrl: string;
  beforeEach(async () => {
    hubspot = new HubSpotMock({
      token: "pat-eu1-hubspot-token",
      contacts: [
        { id: "512", properties: { firstname: "Anna", lastname: "Kiss", company: "Kiss Kft.", phone: "+36 30 111 2233", hubspot_owner_id: "77001" } },
        { id: "513", properties: { firstname: "Béla", lastname: "Tóth", mobilephone: "06-20-987-6543", hubspot_owner_id: "77002" } },
        { id: "514", properties: { firstname: "Ede", lastname: "Orbán", phone: "+3612345678", hubspot_owner_id: "77999" } },
      ],
      owners: [
        { id: "77001", firstName: "Anna", lastName: "Kiss", email: "anna@example.com" },
        { id: "77002", firstName: "Péter", lastName: "Nagy", email: "peter@example.com" },
      ],
    });
    hubspotUrl = await hubspot.listen();
  });
  afterEach(async () => {
    await hubspot.close();
  });

  async function hubspotLookup(token = "pat-eu1-hubspot-token"): Promise<string> {
    const preset = presets.find((p) => p.id === "hubspot_lookup")!;
    const values = structuredClone(preset.values) as LookupInput;
    return (await h.createApi({
      ...values,
      kind: "data_lookup",
      name: "HubSpot",
      preset: preset.id,
      url: values.url.replace("https://api.hubapi.com", hubspotUrl),
      users_request: values.users_request && { ...values.users_request, url: values.users_request.url.replace("https://api.hubapi.com", hubspotUrl) },
      auth: { type: "bearer", token },
      user_map: [
        { crm_user_id: "77001", crm_user_name: "Kiss Anna", extension: "102" },
        { crm_user_id: "77002", extension: "103" },
      ],
    })).id;
  }

  it("searches the calculated phone and mobile numbers and rings the owner's extension", async () => {
    const id = await hubspotLookup();
    expect(await ask(id, "+36301112233")).toEqual({ status: "found", extension: "102", contact: { id: "512", name: "Anna Kiss", company: "Kiss Kft." } });
    const [search] = hubspot.requests;
    expect(search).toMatchObject({ method: "POST", url: "/crm/v3/objects/contacts/search", headers: { authorization: "Bearer pat-eu1-hubspot-token" } });
    expect(JSON.parse(search.body)).toEqual({
      filterGroups: [
        { filters: [{ propertyName: "hs_searchable_calculated_phone_number", operator: "EQ", value: "301112233" }] },
        { filters: [{ propertyName: "hs_searchable_calculated_mobile_number", operator: "EQ", value: "301112233" }] },
      ],
      properties: ["firstname", "lastname", "company", "hubspot_owner_id"],
      limit: 1,
    });
    expect(await ask(id, "+36209876543")).toMatchObject({ status: "found", extension: "103", contact: { name: "Béla Tóth" } });
  });

  it("answers not_found for an unknown number, and keeps the contact of an owner missing from the table", async () => {
    const id = await hubspotLookup();
    expect(await ask(id, "+36309999999")).toEqual({ status: "not_found" });
    expect(await ask(id, "+3612345678")).toEqual({ status: "not_found", contact: { id: "514", name: "Ede Orbán" } });
  });

  it("loads HubSpot's owners for the user table with the API's token", async () => {
    const id = await hubspotLookup();
    expect(await loadOutboundApiUsers(h.db, id)).toEqual({
      users: [
        { crm_user_id: "77001", crm_user_name: "Anna Kiss" },
        { crm_user_id: "77002", crm_user_name: "Péter Nagy" },
      ],
      error: null,
    });
    expect(hubspot.requests.at(-1)).toMatchObject({ method: "GET", url: "/crm/v3/owners?limit=100", headers: { authorization: "Bearer pat-eu1-hubspot-token" } });
    const refused = await loadOutboundApiUsers(h.db, await hubspotLookup("pat-wrong"));
    expect(refused).toMatchObject({ users: [], error: { class: "http_status" }, crm_message: { en: expect.stringMatching(/^HubSpot refused the access token/) } });
  });

  it("says in HubSpot's words that the token was refused, and falls back when HubSpot limits the rate", async () => {
    const refused = await hubspotLookup("pat-wrong");
    const report = await testOutboundApi(h.db, refused, { callerNumber: "+36301112233" });
    expect(report.crm_message?.en).toBe("HubSpot refused the access token (401). Check the private app's token.");
    const id = await hubspotLookup();
    hubspot.mode = "rate_limited";
    expect(await ask(id, "+36301112233")).toEqual({ status: "error", error: "HTTP 429" });
  });

  it("logs the call as a call engagement associated with the contact the look-up found, after a restart, and without association for an unknown caller", async () => {
    const lookup = await hubspotLookup();
    const log = await callLogApi("hubspot_call_log", "https://api.hubapi.com", hubspotUrl, { type: "bearer", token: "pat-eu1-hubspot-token" });
    expect(await ask(lookup, "+36301112233", "conv_known")).toMatchObject({ status: "found", contact: { id: "512" } });
    expect(await ask(lookup, "+36309999999", "conv_unknown")).toEqual({ status: "not_found" });
    await hangUpAndDeliverAfterRestart(["conv_known", "conv_unknown"]);
    const posts = hubspot.requests.filter((r) => r.url === "/crm/v3/objects/calls");
    expect(posts.map((r) => r.headers.authorization)).toEqual(["Bearer pat-eu1-hubspot-token", "Bearer pat-eu1-hubspot-token"]);
    expect(hubspot.calls).toHaveLength(2);
    // The worker sends an endpoint's deliveries concurrently, so HubSpot may get the two calls in either order.
    const known = hubspot.calls.find((logged) => logged.associations.length > 0);
    const unknown = hubspot.calls.find((logged) => logged.associations.length === 0);
    expect(known?.properties).toEqual({
      hs_timestamp: "2026-11-24T09:00:00.000Z",
      hs_call_title: "Incoming call from +36301112233",
      hs_call_body: "Extension 102",
      hs_call_duration: 127_000,
      hs_call_direction: "INBOUND",
      hs_call_from_number: "+36301112233",
      hs_call_to_number: "+3612345678",
      hs_call_recording_url: `${PUBLIC_ADDRESS}/api/v1/recordings/SAMPLEcode00000000000000?token=sample&format=mp3`,
      hs_call_status: "COMPLETED",
    });
    expect(known?.associations).toEqual([{ to: { id: "512" }, types: [{ associationCategory: "HUBSPOT_DEFINED", associationTypeId: 194 }] }]);
    expect(unknown?.properties).toEqual(known?.properties);
    // The unknown caller's request leaves the field out rather than sending an empty list.
    expect(posts.map((post) => JSON.parse(post.body) as object).filter((body) => !("associations" in body))).toHaveLength(1);
    expect((await listDeliveries(h.db, { outbound_api_id: log })).items.map((d) => d.status)).toEqual(["succeeded", "succeeded"]);
  });

  it("an outbound, unanswered call is OUTBOUND / NO_ANSWER with zero duration; a wrong token is refused by HubSpot and not retried", async () => {
    const log = await callLogApi("hubspot_call_log", "https://api.hubapi.com", hubspotUrl, { type: "bearer", token: "pat-eu1-hubspot-token" });
    h.integration.outbox.conversationEnded({ ...sampleCdr(), conversation_id: "conv_out", direction: "outbound", caller: { number: "102", name: null }, called_number: "+36301112233", answered_by: null, answered_at: null, talk_time_s: 0, disposition: "no_answer", recordings: [] });
    await deliverQueued();
    expect(hubspot.calls.at(-1)?.properties).toMatchObject({ hs_call_direction: "OUTBOUND", hs_call_status: "NO_ANSWER", hs_call_duration: 0, hs_call_to_number: "+36301112233", hs_call_title: "Outgoing call to +36301112233" });
    expect(hubspot.calls.at(-1)?.properties).not.toHaveProperty("hs_call_recording_url");
    const refused = await callLogApi("hubspot_call_log", "https://api.hubapi.com", hubspotUrl, { type: "bearer", token: "pat-wrong" });
    h.integration.outbox.enqueue(sampleEvent("end_of_call"), [h.integration.catalog.get(refused)!]);
    await deliverQueued();
    expect((await listDeliveries(h.db, { outbound_api_id: refused })).items[0]).toMatchObject({ status: "dead", last_status_code: 401 });
    expect((await listDeliveries(h.db, { outbound_api_id: log })).items[0]).toMatchObject({ status: "succeeded" });
  });
});

describe("Pipedrive connector: look-up and call log", () => {
  let pipedrive: PipedriveMock;
  let pipedriveUrl: string;
  beforeEach(async () => {
    pipedrive = new PipedriveMock({
      token: "pd-token-1",
      persons: [
        { id: 42, name: "Varga László", phones: ["+36 30 111 2233"], ownerId: 9001, organization: { id: 7, name: "Varga és Társa Bt." } },
        { id: 43, name: "Nagy Éva", phones: ["06301234567"], ownerId: 9999 },
      ],
      users: [
        { id: 9001, name: "Kiss Anna", email: "anna@example.com" },
        { id: 9002, name: "Szabó Gábor", email: "gabor@example.com" },
      ],
    });
    pipedriveUrl = await pipedrive.listen();
  });
  afterEach(async () => {
    await pipedrive.close();
  });

  async function pipedriveLookup(token = "pd-token-1"): Promise<string> {
    const preset = presets.find((p) => p.id === "pipedrive_lookup")!;
    const values = structuredClone(preset.values) as LookupInput;
    return (await h.createApi({
      ...values,
      kind: "data_lookup",
      name: "Pipedrive",
      preset: preset.id,
      url: values.url.replace("https://api.pipedrive.com", pipedriveUrl),
      users_request: values.users_request && { ...values.users_request, url: values.users_request.url.replace("https://api.pipedrive.com", pipedriveUrl) },
      auth: { type: "header", name: "x-api-token", value: token },
      user_map: [{ crm_user_id: "9001", crm_user_name: "Kiss Anna", extension: "102" }],
    })).id;
  }

  it("searches persons by the caller's last 9 digits and rings the owner's extension", async () => {
    const id = await pipedriveLookup();
    expect(await ask(id, "+36301112233")).toEqual({ status: "found", extension: "102", contact: { id: "42", name: "Varga László", company: "Varga és Társa Bt." } });
    expect(pipedrive.requests[0]).toMatchObject({ method: "GET", url: "/api/v2/persons/search?term=301112233&fields=phone&limit=1", headers: { "x-api-token": "pd-token-1" } });
    expect(await ask(id, "+36309999999")).toEqual({ status: "not_found" });
    expect(await ask(id, "+36301234567")).toEqual({ status: "not_found", contact: { id: "43", name: "Nagy Éva" } });
  });

  it("loads Pipedrive's users for the user table", async () => {
    expect((await loadOutboundApiUsers(h.db, await pipedriveLookup())).users).toEqual([
      { crm_user_id: "9001", crm_user_name: "Kiss Anna" },
      { crm_user_id: "9002", crm_user_name: "Szabó Gábor" },
    ]);
    expect(pipedrive.requests.at(-1)).toMatchObject({ method: "GET", url: "/v1/users", headers: { "x-api-token": "pd-token-1" } });
    await expect(loadOutboundApiUsers(h.db, await minicrmLookup())).rejects.toMatchObject({ options: { field: "users_request" } });
  });

  it("says in Pipedrive's words that the token was refused", async () => {
    const report = await testOutboundApi(h.db, await pipedriveLookup("wrong"), { callerNumber: "+36301112233" });
    expect(report).toMatchObject({ ok: false, crm_message: { en: "Pipedrive refused the API token (401). Check the token in your Pipedrive profile." } });
  });

  it("logs the call with the person the look-up found (even one whose owner has no extension), after a restart, and without a person for an unknown caller", async () => {
    const lookup = await pipedriveLookup();
    await callLogApi("pipedrive_call_log", "https://api.pipedrive.com", pipedriveUrl, { type: "header", name: "x-api-token", value: "pd-token-1" });
    expect(await ask(lookup, "+36301112233", "conv_known")).toMatchObject({ status: "found", contact: { id: "42" } });
    expect(await ask(lookup, "+36301234567", "conv_unrouted")).toMatchObject({ status: "not_found", contact: { id: "43" } });
    expect(await ask(lookup, "+36309999999", "conv_unknown")).toEqual({ status: "not_found" });
    await hangUpAndDeliverAfterRestart(["conv_known", "conv_unrouted", "conv_unknown"]);
    expect(pipedrive.requests.filter((r) => r.url === "/v1/callLogs").every((r) => r.headers["x-api-token"] === "pd-token-1")).toBe(true);
    // The worker sends an endpoint's deliveries concurrently, so Pipedrive may get them in any order.
    const byPerson = pipedrive.callLogs.map((log) => log.person_id);
    expect(byPerson.sort()).toEqual([42, 43, undefined]);
    expect(pipedrive.callLogs.find((log) => log.person_id === 42)).toEqual({
      id: expect.stringMatching(/^cl[123]$/),
      subject: "Incoming call from +36301112233",
      duration: "127",
      outcome: "connected",
      from_phone_number: "+36301112233",
      to_phone_number: "+3612345678",
      start_time: "2026-11-24 09:00:00",
      end_time: "2026-11-24 09:02:13",
      person_id: 42,
      note: `Recording: ${PUBLIC_ADDRESS}/api/v1/recordings/SAMPLEcode00000000000000?token=sample&format=mp3`,
    });
  });

  it("reads the public address per message: a change on the Settings page reaches the next call log, and without one the link stays a path", async () => {
    const id = await callLogApi("pipedrive_call_log", "https://api.pipedrive.com", pipedriveUrl, { type: "header", name: "x-api-token", value: "pd-token-1" });
    const recording = "/api/v1/recordings/SAMPLEcode00000000000000?token=sample&format=mp3";
    const deliverCall = async (conversationId: string) => {
      h.integration.outbox.conversationEnded({ ...sampleCdr(), conversation_id: conversationId, call_id: `call_${conversationId}` });
      await deliverQueued();
      return pipedrive.callLogs.at(-1)?.note;
    };
    expect(await deliverCall("conv_first")).toBe(`Recording: ${PUBLIC_ADDRESS}${recording}`);
    await setSetting(h.db, settingKeys.publicUrl, "https://calls.example.org");
    expect(await deliverCall("conv_moved")).toBe(`Recording: https://calls.example.org${recording}`);
    // The Test button shows the same link the next delivery sends.
    expect(JSON.parse((await testOutboundApi(h.db, id)).request.body).note).toBe(`Recording: https://calls.example.org${recording}`);
    await setSetting(h.db, settingKeys.publicUrl, "");
    expect(await deliverCall("conv_unset")).toBe(`Recording: ${recording}`);
  });

  it("a busy call's outcome is busy; a wrong token is refused by Pipedrive and not retried", async () => {
    await callLogApi("pipedrive_call_log", "https://api.pipedrive.com", pipedriveUrl, { type: "header", name: "x-api-token", value: "pd-token-1" });
    const refused = await callLogApi("pipedrive_call_log", "https://api.pipedrive.com", pipedriveUrl, { type: "header", name: "x-api-token", value: "wrong" });
    h.integration.outbox.conversationEnded({ ...sampleCdr(), conversation_id: "conv_busy", answered_by: null, answered_at: null, talk_time_s: 0, disposition: "busy", recordings: [] });
    await deliverQueued();
    expect(pipedrive.callLogs).toHaveLength(1);
    expect(pipedrive.callLogs[0]).toMatchObject({ outcome: "busy", duration: "0", note: "Extension 102" });
    expect((await listDeliveries(h.db, { outbound_api_id: refused })).items[0]).toMatchObject({ status: "dead", last_status_code: 401 });
  });
});
