import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CallInfo } from "@/flows/runtime/ports";
import type { OutboundApiInput } from "@/lib/schemas/integration";
import { HubSpotMock } from "@/crm-demo/mocks/hubspot";
import { MiniCrmMock } from "@/crm-demo/mocks/minicrm";
import { PipedriveMock } from "@/crm-demo/mocks/pipedrive";
import { listDeliveries } from "../services/deliveries";
import { loadOutboundApiUsers, testOutboundApi } from "../services/outboundApis";
import { createHarness, type Harness } from "./testing/harness";
import { presets } from "./presets";
import { sampleEvent } from "./samples";

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
  h = createHarness();
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

function call(number: string): CallInfo {
  return { id: "call_1", conversationId: "conv_1", direction: "inbound", caller: { number, numberRaw: number, name: null }, calledNumber: "+3612345678", startedAt: new Date().toISOString(), flowId: "flw_1" };
}

type LookupInput = Extract<OutboundApiInput, { kind: "data_lookup" }>;

/** The preset exactly as the form lays it down, pointed at the mock, with the admin's keys and user table. */
function minicrmLookup(overrides: Partial<LookupInput> = {}): string {
  const preset = presets.find((p) => p.id === "minicrm_lookup")!;
  const values = structuredClone(preset.values) as LookupInput;
  const toMock = (url: string) => url.replace("https://r3.minicrm.hu", base);
  return h.createApi({
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
  }).id;
}

async function ask(id: string, number: string) {
  const result = await h.integration.port.lookup({ outboundApiId: id, call: call(number), nodeId: "lookup", variables: {} });
  await new Promise((resolve) => setImmediate(resolve));
  return result;
}

describe("MiniCRM connector: look-up", () => {
  it("finds the contact by the last 9 digits, its project's responsible user, and rings that user's extension", async () => {
    const id = minicrmLookup();
    expect(await ask(id, "+36301112233")).toEqual({ status: "found", extension: "102", contact: { id: "4001", name: "Varga László" } });
    expect(minicrm.requests.map((r) => `${r.method} ${r.url}`)).toEqual(["GET /Api/R3/Contact?Query=301112233", "GET /Api/R3/Project?ContactId=4001"]);
    expect(minicrm.requests[0].headers.authorization).toBe(`Basic ${Buffer.from("12345:minicrm-api-key").toString("base64")}`);
    expect(minicrm.requests.every((r) => r.body === "")).toBe(true);
    expect(await ask(id, "+36209876543")).toMatchObject({ status: "found", extension: "103" });
    // Both requests are in the look-up's delivery log entry.
    expect(listDeliveries(h.db, { outbound_api_id: id }).items[0]).toMatchObject({ status: "succeeded", attempts: [{ status_code: 200 }, { status_code: 200 }] });
  });

  it("answers not_found for an unknown number (MiniCRM's empty Results), without a second request", async () => {
    const id = minicrmLookup();
    expect(await ask(id, "+36309999999")).toEqual({ status: "not_found" });
    expect(minicrm.requests).toHaveLength(1);
  });

  it("keeps the contact when no one can be routed to: no project, or an owner missing from the user table", async () => {
    const id = minicrmLookup();
    expect(await ask(id, "+36705551234")).toEqual({ status: "not_found", contact: { id: "4003", name: "Kovács Béla" } });
    const partial = minicrmLookup({ user_map: [{ crm_user_id: "3200", extension: "102" }] });
    expect(await ask(partial, "+36209876543")).toEqual({ status: "not_found", contact: { id: "4002", name: "Molnár Katalin" } });
  });

  it("takes the fallback when MiniCRM refuses the key, and the Test button says so in MiniCRM's words", async () => {
    const id = minicrmLookup({ auth: { type: "basic", username: "12345", password: "wrong-key" } });
    expect(await ask(id, "+36301112233")).toEqual({ status: "error", error: "HTTP 401" });
    const report = await testOutboundApi(h.db, id, { callerNumber: "06 30 111 2233" });
    expect(report.ok).toBe(false);
    expect(report.crm_message?.en).toBe("MiniCRM refused the API key (401). Check the System ID and the API key.");
    expect(report.crm_message?.hu).toMatch(/^A MiniCRM elutasította az API-kulcsot \(401\)/);
  });

  it("takes the fallback inside the budget when MiniCRM is down or rate-limiting", async () => {
    const id = minicrmLookup({ fallback: { branch: "not_found", variables: { crm_down: "1" } } });
    minicrm.mode = "down";
    expect(await ask(id, "+36301112233")).toEqual({ status: "not_found", variables: { crm_down: "1" } });
    minicrm.mode = "rate_limited";
    expect(await ask(id, "+36301112233")).toEqual({ status: "not_found", variables: { crm_down: "1" } });
  });

  it("Test with a number shows every step and the extension and contact the call would go to", async () => {
    const id = minicrmLookup();
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
    const { id } = h.createApi({ ...(preset.values as object), kind: "end_of_call", name: "MiniCRM call log", url: `${base}/Api/CallLog`, body_secret: "minicrm-voip-key" } as OutboundApiInput);
    minicrm.mode = "rate_limited";
    minicrm.retryAfterS = 60;
    h.integration.outbox.enqueue(sampleEvent("end_of_call"), [h.integration.catalog.get(id)!]);
    const start = h.clock.now();
    await h.integration.worker.runOnce();
    const [pending] = listDeliveries(h.db, { outbound_api_id: id }).items;
    expect(pending).toMatchObject({ status: "pending", last_status_code: 429 });
    expect(Date.parse(pending.next_attempt_at ?? "")).toBe(start + 60_000);
    minicrm.mode = "normal";
    h.clock.advance(60_000);
    await h.integration.worker.runOnce();
    expect(minicrm.callLogs).toEqual([
      { ApiKey: "minicrm-voip-key", UserExtension: "102", Data: [{ Number: "+36301112233", Duration: 127, CallType: 1, Date: "2026-11-24 09:00:00", ReferenceId: "SAMPLEcode00000000000000" }] },
    ]);
  });
});

describe("HubSpot connector: look-up", () => {
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

  function hubspotLookup(token = "pat-eu1-hubspot-token"): string {
    const preset = presets.find((p) => p.id === "hubspot_lookup")!;
    const values = structuredClone(preset.values) as LookupInput;
    return h.createApi({
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
    }).id;
  }

  it("searches the calculated phone and mobile numbers and rings the owner's extension", async () => {
    const id = hubspotLookup();
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
    const id = hubspotLookup();
    expect(await ask(id, "+36309999999")).toEqual({ status: "not_found" });
    expect(await ask(id, "+3612345678")).toEqual({ status: "not_found", contact: { id: "514", name: "Ede Orbán" } });
  });

  it("loads HubSpot's owners for the user table with the API's token", async () => {
    const id = hubspotLookup();
    expect(await loadOutboundApiUsers(h.db, id)).toEqual({
      users: [
        { crm_user_id: "77001", crm_user_name: "Anna Kiss" },
        { crm_user_id: "77002", crm_user_name: "Péter Nagy" },
      ],
      error: null,
    });
    expect(hubspot.requests.at(-1)).toMatchObject({ method: "GET", url: "/crm/v3/owners?limit=100", headers: { authorization: "Bearer pat-eu1-hubspot-token" } });
    const refused = await loadOutboundApiUsers(h.db, hubspotLookup("pat-wrong"));
    expect(refused).toMatchObject({ users: [], error: { class: "http_status" }, crm_message: { en: expect.stringMatching(/^HubSpot refused the access token/) } });
  });

  it("says in HubSpot's words that the token was refused, and falls back when HubSpot limits the rate", async () => {
    const refused = hubspotLookup("pat-wrong");
    const report = await testOutboundApi(h.db, refused, { callerNumber: "+36301112233" });
    expect(report.crm_message?.en).toBe("HubSpot refused the access token (401). Check the private app's token.");
    const id = hubspotLookup();
    hubspot.mode = "rate_limited";
    expect(await ask(id, "+36301112233")).toEqual({ status: "error", error: "HTTP 429" });
  });
});

describe("Pipedrive connector: look-up", () => {
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

  function pipedriveLookup(token = "pd-token-1"): string {
    const preset = presets.find((p) => p.id === "pipedrive_lookup")!;
    const values = structuredClone(preset.values) as LookupInput;
    return h.createApi({
      ...values,
      kind: "data_lookup",
      name: "Pipedrive",
      preset: preset.id,
      url: values.url.replace("https://api.pipedrive.com", pipedriveUrl),
      users_request: values.users_request && { ...values.users_request, url: values.users_request.url.replace("https://api.pipedrive.com", pipedriveUrl) },
      auth: { type: "header", name: "x-api-token", value: token },
      user_map: [{ crm_user_id: "9001", crm_user_name: "Kiss Anna", extension: "102" }],
    }).id;
  }

  it("searches persons by the caller's last 9 digits and rings the owner's extension", async () => {
    const id = pipedriveLookup();
    expect(await ask(id, "+36301112233")).toEqual({ status: "found", extension: "102", contact: { id: "42", name: "Varga László", company: "Varga és Társa Bt." } });
    expect(pipedrive.requests[0]).toMatchObject({ method: "GET", url: "/api/v2/persons/search?term=301112233&fields=phone&limit=1", headers: { "x-api-token": "pd-token-1" } });
    expect(await ask(id, "+36309999999")).toEqual({ status: "not_found" });
    expect(await ask(id, "+36301234567")).toEqual({ status: "not_found", contact: { id: "43", name: "Nagy Éva" } });
  });

  it("loads Pipedrive's users for the user table", async () => {
    expect((await loadOutboundApiUsers(h.db, pipedriveLookup())).users).toEqual([
      { crm_user_id: "9001", crm_user_name: "Kiss Anna" },
      { crm_user_id: "9002", crm_user_name: "Szabó Gábor" },
    ]);
    expect(pipedrive.requests.at(-1)).toMatchObject({ method: "GET", url: "/v1/users", headers: { "x-api-token": "pd-token-1" } });
    await expect(loadOutboundApiUsers(h.db, minicrmLookup())).rejects.toMatchObject({ options: { field: "users_request" } });
  });

  it("says in Pipedrive's words that the token was refused", async () => {
    const report = await testOutboundApi(h.db, pipedriveLookup("wrong"), { callerNumber: "+36301112233" });
    expect(report).toMatchObject({ ok: false, crm_message: { en: "Pipedrive refused the API token (401). Check the token in your Pipedrive profile." } });
  });
});
