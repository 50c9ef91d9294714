/**
 * A ready CRM connector on the production server (issue #15): the MiniCRM
 * connector is configured over the REST API exactly as its preset lays it
 * down (pointed at a mock that follows MiniCRM's documented API on
 * loopback, which OUTBOUND_NETWORK=allow-lan permits), a flow with a CRM
 * look-up routes a known customer's call to the responsible user's
 * extension within the look-up budget, and after hang-up MiniCRM holds the
 * call in its call log. HubSpot and Pipedrive run one shared case: the
 * owner's extension rings, and the call log names the contact and links a
 * recording that plays as mp3 without credentials.
 */
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser } from "playwright-core";
import { HubSpotMock } from "@/crm-demo/mocks/hubspot";
import { MiniCrmMock } from "@/crm-demo/mocks/minicrm";
import { PipedriveMock } from "@/crm-demo/mocks/pipedrive";
import type { CrmMock } from "@/crm-demo/mocks/crmMock";
import { presets } from "@/server/integration/presets";
import { decodeMp3 } from "@/server/audio/testAudio";
import { launchBrowser, screenshot, setLanguage, signInAsAdmin } from "./browser";
import { basicOf, createTechnicalUser, restClient, type Json } from "./rest";

const baseUrl = inject("baseUrl");
const dataDir = inject("dataDir");
const slow = { timeout: 15_000 };

const DID = "+3612340015";
const VARGA = { Id: 4001, Name: "Varga László", Phone: "06-30 / 111-2233" };
const MOLNAR = { Id: 4002, Name: "Molnár Katalin", Phone: "+36 20 987 6543" };

let minicrm: MiniCrmMock;
let minicrmUrl: string;
let basic: string;
let lookupId: string;

const { api, ok } = restClient(baseUrl, () => basic);

const toMock = (url: string) => url.replace("https://r3.minicrm.hu", minicrmUrl);

/** The connector's preset as the form lays it down, pointed at the mock. */
function presetBody(id: string): Json {
  const values = structuredClone(presets.find((preset) => preset.id === id)!.values) as Json;
  return {
    ...values,
    url: toMock(values.url),
    ...(values.next_steps ? { next_steps: values.next_steps.map((step: Json) => ({ ...step, url: toMock(step.url) })) } : {}),
    preset: id,
  };
}

beforeAll(async () => {
  minicrm = new MiniCrmMock({
    systemId: "12345",
    apiKey: "minicrm-api-key",
    voipKey: "minicrm-voip-key",
    contacts: [VARGA, MOLNAR],
    projects: [
      { Id: 9001, ContactId: VARGA.Id, UserId: 3200, Name: "Varga – renewal" },
      { Id: 9002, ContactId: MOLNAR.Id, UserId: 3300, Name: "Molnár – fleet" },
    ],
  });
  minicrmUrl = await minicrm.listen();
  basic = basicOf(createTechnicalUser(dataDir, "Connector set-up"));
  for (const extension of ["102", "103"]) await ok(`/simulator/phones/${extension}`, { method: "PUT", body: { behavior: "answer", answer_after_s: 0 } });
});

afterAll(async () => {
  // The server is shared with the other e2e files: leave no outbound API behind that points at a closed mock.
  const apis = (await ok("/outbound-apis?limit=100")).items as { id: string; url: string }[];
  for (const outbound of apis.filter((item) => minicrmUrl && item.url.startsWith(minicrmUrl))) await ok(`/outbound-apis/${outbound.id}`, { method: "DELETE" });
  await minicrm?.close();
});

describe("the MiniCRM connector on the production server", () => {
  it("is configured over the REST API: keys, the user table, and the call log", async () => {
    const lookup = await api("/outbound-apis", {
      method: "POST",
      body: {
        ...presetBody("minicrm_lookup"),
        kind: "data_lookup",
        name: "MiniCRM – responsible user",
        auth: { type: "basic", username: "12345", password: "minicrm-api-key" },
        user_map: [
          { crm_user_id: "3200", crm_user_name: "Kiss Anna", extension: "102" },
          { crm_user_id: "3300", crm_user_name: "Nagy Péter", extension: "103" },
        ],
      },
    });
    expect(lookup.status, JSON.stringify(lookup.body)).toBe(201);
    lookupId = lookup.body.id;
    expect(lookup.body).toMatchObject({ method: "GET", auth: { type: "basic", username: "12345", secret_hint: expect.any(String) }, user_map: [{ crm_user_id: "3200", extension: "102" }, { crm_user_id: "3300" }] });
    expect(JSON.stringify(lookup.body)).not.toContain("minicrm-api-key");

    const callLog = await api("/outbound-apis", { method: "POST", body: { ...presetBody("minicrm_call_log"), kind: "end_of_call", name: "MiniCRM calls (e2e)", body_secret: "minicrm-voip-key" } });
    expect(callLog.status, JSON.stringify(callLog.body)).toBe(201);

    const refused = await api("/outbound-apis", { method: "POST", body: { ...presetBody("minicrm_lookup"), kind: "data_lookup", name: "Bad map", auth: { type: "basic", username: "1", password: "x" }, user_map: [{ crm_user_id: "1", extension: "abc" }] } });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toContain("user_map");
  });

  it("Test with a number shows the contact and the extension, and a wrong key in MiniCRM's words", async () => {
    const report = await ok(`/outbound-apis/${lookupId}/test`, { method: "POST", body: { caller_number: "06 20 987 6543" } });
    expect(report).toMatchObject({ ok: true, lookup: { result: { status: "found", extension: "103", contact: { id: "4002", name: "Molnár Katalin" } } } });
    expect(report.lookup.steps.map((step: Json) => step.request.url)).toEqual([`${minicrmUrl}/Api/R3/Contact?Query=209876543`, `${minicrmUrl}/Api/R3/Project?ContactId=4002`]);

    const current = await ok(`/outbound-apis/${lookupId}`);
    const { id: _id, signing_secret_hint: _s, body_secret_hint: _b, previous_signing_secret_expires_at: _p, disabled_reason: _d, created_at: _c, updated_at: _u, ...editable } = current;
    const wrong = await ok("/outbound-apis", { method: "POST", body: { ...editable, name: "MiniCRM wrong key", auth: { type: "basic", username: "12345", password: "not-the-key" } } });
    const refused = await ok(`/outbound-apis/${wrong.id}/test`, { method: "POST", body: { caller_number: "+36301112233" } });
    expect(refused).toMatchObject({ ok: false, crm_message: { en: expect.stringMatching(/^MiniCRM refused the API key \(401\)/) } });
    await ok(`/outbound-apis/${wrong.id}`, { method: "DELETE" });
  });

  it("rings the responsible user's extension within the look-up budget, and MiniCRM gets the call log after hang-up", async () => {
    const nodes = [
      { id: "start", type: "start", position: { x: 0, y: 0 }, config: {} },
      { id: "crm", type: "data_lookup", position: { x: 200, y: 0 }, config: { outbound_api_id: lookupId } },
      { id: "rep", type: "dial_extension", position: { x: 400, y: 0 }, config: { extension: "{{ lookup.extension }}", ring_timeout_s: 20 } },
      { id: "bye", type: "hangup", position: { x: 600, y: 0 }, config: {} },
    ];
    const edges = [
      { id: "e1", source: "start", source_port: "next", target: "crm" },
      { id: "e2", source: "crm", source_port: "found", target: "rep" },
      { id: "e3", source: "crm", source_port: "not_found", target: "bye" },
      { id: "e4", source: "crm", source_port: "error", target: "bye" },
      ...["answered", "no_answer", "busy", "failed"].map((port) => ({ id: `r-${port}`, source: "rep", source_port: port, target: "bye" })),
    ];
    const flow = await ok("/flows", { method: "POST", body: { schema_version: 1, name: "MiniCRM routing", nodes, edges } });
    await ok(`/flows/${flow.id}/publish`, { method: "POST" });
    await ok(`/numbers/${encodeURIComponent(DID)}`, { method: "PUT", body: { flow_id: flow.id, label: "MiniCRM routing" } });

    const before = minicrm.requests.length;
    const { call_id: callId } = await ok("/simulator/calls", { method: "POST", body: { from: "+36301112233", to: DID } });
    await expect.poll(async () => (await ok(`/calls/${callId}`)).status, slow).toBe("answered");
    const trace = (await ok(`/simulator/calls/${callId}`)).trace as { node_id: string; branch: string | null }[];
    expect(trace.find((step) => step.node_id === "crm")?.branch).toBe("found");
    expect(minicrm.requests.slice(before).map((r) => r.url)).toEqual(["/Api/R3/Contact?Query=301112233", "/Api/R3/Project?ContactId=4001"]);
    const { items } = await ok(`/outbound-apis/${lookupId}/deliveries`);
    const lookupLog = items.find((item: Json) => item.status === "succeeded" && item.attempts.length === 2);
    const spent = lookupLog.attempts.reduce((sum: number, attempt: Json) => sum + attempt.latency_ms, 0);
    expect(spent).toBeLessThan(3_000);

    await new Promise((resolve) => setTimeout(resolve, 1_200)); // a recording of a second or so
    expect([204, 404, 409]).toContain((await api(`/simulator/calls/${callId}/hangup`, { method: "POST" })).status);
    await expect.poll(async () => (await ok(`/calls/${callId}`)).status, slow).toBe("ended");
    const call = await ok(`/calls/${callId}`);
    expect(call.legs.map((leg: Json) => leg.answered_by?.extension).find(Boolean)).toBe("102");

    await expect.poll(() => minicrm.callLogs.length, slow).toBeGreaterThan(0);
    const [entry] = minicrm.callLogs;
    expect(entry).toMatchObject({ ApiKey: "minicrm-voip-key", UserExtension: "102", Data: [{ Number: "+36301112233", CallType: 1, ReferenceId: expect.stringMatching(/^[A-Za-z0-9_-]{24}$/) }] });
    // MiniCRM fetches the recording by its ReferenceId, as mp3, with the address and credentials its guide sets up.
    const recording = await fetch(`${baseUrl}/api/v1/recordings/${entry.Data[0].ReferenceId}?format=mp3`, { headers: { authorization: basic } });
    expect(recording.status).toBe(200);
    expect(recording.headers.get("content-type")).toBe("audio/mpeg");
    const decoded = await decodeMp3(new Uint8Array(await recording.arrayBuffer()));
    expect(decoded.errors).toBe(0);
    expect(Math.abs(decoded.soundSeconds - Number(entry.Data[0].Duration))).toBeLessThanOrEqual(1);
  });

  it("sends a number MiniCRM does not know to not_found", async () => {
    const { call_id: callId } = await ok("/simulator/calls", { method: "POST", body: { from: "+36309999999", to: DID } });
    await expect.poll(async () => (await ok(`/calls/${callId}`)).status, slow).toBe("ended");
    const trace = (await ok(`/simulator/calls/${callId}`)).trace as { node_id: string; branch: string | null }[];
    expect(trace.find((step) => step.node_id === "crm")?.branch).toBe("not_found");
  });
});

/** What the end-of-call test needs to know of one CRM: its mock, presets and credentials, and how to read the call it logged. */
interface CrmConnectorCase<Mock extends CrmMock> {
  crm: string;
  /** The CRM's API origin in the presets, replaced by the mock's address. */
  origin: string;
  did: string;
  caller: string;
  /** The contact id the look-up finds, as the CRM's call log carries it. */
  contactId: unknown;
  ownerId: string;
  mock(): Mock;
  lookupPreset: string;
  callLogPreset: string;
  auth: Json;
  /** The call log the mock holds, or undefined while none has arrived. */
  loggedCall(mock: Mock): { fields: Record<string, unknown>; contactId: unknown; durationS: number; recordingUrl: string } | undefined;
  /** CRM-specific fields of the logged call. */
  expectedFields: Record<string, unknown>;
}

const PUBLIC_ADDRESS = "https://pbx.example.test";

/** The public address under Settings, written by another process and read by the server per message. */
function setPublicAddress(origin: string): void {
  const db = new Database(path.join(dataDir, "switchboard.db"));
  try {
    db.prepare("insert into settings (key, value) values ('public_url', ?) on conflict (key) do update set value = excluded.value").run(JSON.stringify(origin));
  } finally {
    db.close();
  }
}

function describeCallLoggingConnector<Mock extends CrmMock>(crm: CrmConnectorCase<Mock>): void {
  describe(`the ${crm.crm} connector on the production server`, () => {
    let mock: Mock;
    let mockUrl: string;
    const created: string[] = [];
    const toMock = (url: string) => url.replace(crm.origin, mockUrl);

    beforeAll(async () => {
      mock = crm.mock();
      mockUrl = await mock.listen();
    });
    afterAll(async () => {
      for (const id of created) await ok(`/outbound-apis/${id}`, { method: "DELETE" });
      await mock?.close();
      setPublicAddress("");
    });

    it("routes a known contact to the owner's extension and logs the call with the contact, with a recording link that plays as mp3", async () => {
      const lookupValues = structuredClone(presets.find((preset) => preset.id === crm.lookupPreset)!.values) as Json;
      const lookup = await ok("/outbound-apis", {
        method: "POST",
        body: { ...lookupValues, kind: "data_lookup", name: `${crm.crm} owner (e2e)`, preset: crm.lookupPreset, url: toMock(lookupValues.url), users_request: null, auth: crm.auth, user_map: [{ crm_user_id: crm.ownerId, extension: "102" }] },
      });
      created.push(lookup.id);
      const logValues = structuredClone(presets.find((preset) => preset.id === crm.callLogPreset)!.values) as Json;
      // The preset's template as it is: the guide asks only for the public address under Settings.
      setPublicAddress(PUBLIC_ADDRESS);
      const callLog = await ok("/outbound-apis", {
        method: "POST",
        body: { ...logValues, kind: "end_of_call", name: `${crm.crm} calls (e2e)`, preset: crm.callLogPreset, url: toMock(logValues.url), auth: crm.auth },
      });
      created.push(callLog.id);

      const nodes = [
        { id: "start", type: "start", position: { x: 0, y: 0 }, config: {} },
        { id: "crm", type: "data_lookup", position: { x: 200, y: 0 }, config: { outbound_api_id: lookup.id } },
        { id: "rep", type: "dial_extension", position: { x: 400, y: 0 }, config: { extension: "{{ lookup.extension }}", ring_timeout_s: 20 } },
        { id: "bye", type: "hangup", position: { x: 600, y: 0 }, config: {} },
      ];
      const edges = [
        { id: "e1", source: "start", source_port: "next", target: "crm" },
        { id: "e2", source: "crm", source_port: "found", target: "rep" },
        ...["not_found", "error"].map((port) => ({ id: `c-${port}`, source: "crm", source_port: port, target: "bye" })),
        ...["answered", "no_answer", "busy", "failed"].map((port) => ({ id: `r-${port}`, source: "rep", source_port: port, target: "bye" })),
      ];
      const flow = await ok("/flows", { method: "POST", body: { schema_version: 1, name: `${crm.crm} routing`, nodes, edges } });
      await ok(`/flows/${flow.id}/publish`, { method: "POST" });
      await ok(`/numbers/${encodeURIComponent(crm.did)}`, { method: "PUT", body: { flow_id: flow.id, label: `${crm.crm} routing` } });

      const { call_id: callId } = await ok("/simulator/calls", { method: "POST", body: { from: crm.caller, to: crm.did } });
      await expect.poll(async () => (await ok(`/calls/${callId}`)).status, slow).toBe("answered");
      const trace = (await ok(`/simulator/calls/${callId}`)).trace as { node_id: string; branch: string | null }[];
      expect(trace.find((step) => step.node_id === "crm")?.branch).toBe("found");
      const { items } = await ok(`/outbound-apis/${lookup.id}/deliveries`);
      const lookupLog = items.find((item: Json) => item.status === "succeeded");
      const spent = lookupLog.attempts.reduce((sum: number, attempt: Json) => sum + attempt.latency_ms, 0);
      expect(spent).toBeLessThan(lookupValues.timeout_ms);

      await new Promise((resolve) => setTimeout(resolve, 1_200)); // a recording of a second or so
      expect([204, 404, 409]).toContain((await api(`/simulator/calls/${callId}/hangup`, { method: "POST" })).status);
      await expect.poll(async () => (await ok(`/calls/${callId}`)).status, slow).toBe("ended");
      const call = await ok(`/calls/${callId}`);
      expect(call.legs.map((leg: Json) => leg.answered_by?.extension).find(Boolean)).toBe("102");

      await expect.poll(() => crm.loggedCall(mock), slow).toBeDefined();
      const logged = crm.loggedCall(mock)!;
      expect(logged.contactId).toBe(crm.contactId);
      expect(logged.fields).toMatchObject(crm.expectedFields);
      expect(logged.durationS).toBeGreaterThanOrEqual(1);
      // The link is absolute and signed: the CRM fetches it without credentials.
      const link = new URL(logged.recordingUrl);
      expect(link.origin).toBe(PUBLIC_ADDRESS);
      expect(link.searchParams.get("format")).toBe("mp3");
      const recording = await fetch(`${baseUrl}${link.pathname}${link.search}`);
      expect(recording.status).toBe(200);
      expect(recording.headers.get("content-type")).toBe("audio/mpeg");
      const decoded = await decodeMp3(new Uint8Array(await recording.arrayBuffer()));
      expect(decoded.errors).toBe(0);
      expect(Math.abs(decoded.soundSeconds - logged.durationS)).toBeLessThanOrEqual(1);
    });
  });
}

const HUBSPOT_DID = "+3612340016";
describeCallLoggingConnector<HubSpotMock>({
  crm: "HubSpot",
  origin: "https://api.hubapi.com",
  did: HUBSPOT_DID,
  caller: "+36305556677",
  contactId: "512",
  ownerId: "77001",
  mock: () =>
    new HubSpotMock({
      token: "pat-e2e-calls",
      contacts: [{ id: "512", properties: { firstname: "Anna", lastname: "Kovács", phone: "+36 30 555 6677", hubspot_owner_id: "77001" } }],
    }),
  lookupPreset: "hubspot_lookup",
  callLogPreset: "hubspot_call_log",
  auth: { type: "bearer", token: "pat-e2e-calls" },
  loggedCall: (hubspot) => {
    expect(hubspot.calls.length).toBeLessThanOrEqual(1);
    const [call] = hubspot.calls;
    if (!call) return undefined;
    expect(call.associations.map((association) => association.types)).toEqual([[{ associationCategory: "HUBSPOT_DEFINED", associationTypeId: 194 }]]);
    return { fields: call.properties, contactId: call.associations[0]?.to.id, durationS: Number(call.properties.hs_call_duration) / 1000, recordingUrl: String(call.properties.hs_call_recording_url) };
  },
  expectedFields: { hs_call_direction: "INBOUND", hs_call_status: "COMPLETED", hs_call_from_number: "+36305556677", hs_call_to_number: HUBSPOT_DID, hs_call_body: "Extension 102" },
});

const PIPEDRIVE_DID = "+3612340017";
describeCallLoggingConnector<PipedriveMock>({
  crm: "Pipedrive",
  origin: "https://api.pipedrive.com",
  did: PIPEDRIVE_DID,
  caller: "+36304445566",
  contactId: 42,
  ownerId: "9001",
  mock: () => new PipedriveMock({ token: "pd-e2e-calls", persons: [{ id: 42, name: "Varga László", phones: ["06 30 444 5566"], ownerId: 9001 }] }),
  lookupPreset: "pipedrive_lookup",
  callLogPreset: "pipedrive_call_log",
  auth: { type: "header", name: "x-api-token", value: "pd-e2e-calls" },
  loggedCall: (pipedrive) => {
    expect(pipedrive.callLogs.length).toBeLessThanOrEqual(1);
    const [log] = pipedrive.callLogs;
    if (!log) return undefined;
    const note = String(log.note);
    expect(note).toMatch(/^Recording: /);
    return { fields: log, contactId: log.person_id, durationS: Number(log.duration), recordingUrl: note.slice("Recording: ".length) };
  },
  expectedFields: { outcome: "connected", subject: "Incoming call from +36304445566", from_phone_number: "+36304445566", to_phone_number: PIPEDRIVE_DID },
});

const ui = {
  en: {
    add: "Add: Data look-up API",
    preset: "Start from",
    name: "Name",
    systemId: "System ID",
    apiKey: "API key",
    addUser: "Add a user",
    userId: "CRM user ID",
    userName: "Name (for you)",
    extension: "Extension",
    advanced: "Advanced: the requests and how the reply is read",
    step2Url: "URL of request 2",
    save: "Save",
    savedIt: "I have saved it",
    testNumber: "Caller number for the test",
    test: "Test",
    routes: "The call would ring extension 102",
    close: "Close",
  },
  hu: {
    add: "Hozzáadás: Adatlekérdezés API",
    preset: "Kiindulás",
    name: "Név",
    systemId: "Rendszerazonosító (SystemId)",
    apiKey: "API-kulcs",
    addUser: "Felhasználó hozzáadása",
    userId: "CRM-felhasználó azonosítója",
    userName: "Név (tájékoztató)",
    extension: "Mellék",
    advanced: "Haladó: a kérések és a válasz feldolgozása",
    step2Url: "A(z) 2. kérés címe",
    save: "Mentés",
    savedIt: "Elmentettem",
    testNumber: "Hívószám a teszthez",
    test: "Teszt",
    routes: "A hívás a(z) 102 mellékre kerülne",
    close: "Bezárás",
  },
};

describe("the connector form in Chromium", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("loads HubSpot's owners into the user table of a saved HubSpot look-up", async () => {
    const hubspot = new HubSpotMock({
      token: "pat-e2e",
      contacts: [],
      owners: [
        { id: "77001", firstName: "Anna", lastName: "Kiss", email: "anna@example.com" },
        { id: "77002", firstName: "Péter", lastName: "Nagy", email: "peter@example.com" },
      ],
    });
    const hubspotUrl = await hubspot.listen();
    const context = await browser.newContext({ locale: "en-US", viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    let createdId: string | undefined;
    try {
      const values = structuredClone(presets.find((preset) => preset.id === "hubspot_lookup")!.values) as Json;
      const created = await ok("/outbound-apis", {
        method: "POST",
        body: {
          ...values,
          kind: "data_lookup",
          name: "HubSpot owners",
          preset: "hubspot_lookup",
          url: values.url.replace("https://api.hubapi.com", hubspotUrl),
          users_request: { ...values.users_request, url: values.users_request.url.replace("https://api.hubapi.com", hubspotUrl) },
          auth: { type: "bearer", token: "pat-e2e" },
        },
      });
      createdId = created.id;
      await signInAsAdmin(page, baseUrl);
      await page.goto(`${baseUrl}/api-access`);
      await setLanguage(page, "en");
      await page.getByRole("button", { name: "Edit: HubSpot owners" }).click();
      await page.getByRole("button", { name: "Load users from the CRM" }).click();
      await expect.poll(() => page.getByText("2 users added: type their extensions.").count(), slow).toBe(1);
      expect(await page.getByLabel("Name (for you) 1").inputValue()).toBe("Anna Kiss");
      expect(await page.getByLabel("CRM user ID 2").inputValue()).toBe("77002");
      await page.getByLabel("Extension 1", { exact: true }).fill("102");
      await screenshot(page, "connector-hubspot-users-en");
      await page.getByRole("button", { name: "Save", exact: true }).click();
      await expect.poll(async () => (await ok(`/outbound-apis/${created.id}`)).user_map, slow).toEqual([{ crm_user_id: "77001", crm_user_name: "Anna Kiss", extension: "102" }]);
    } finally {
      await context.close();
      if (createdId) await ok(`/outbound-apis/${createdId}`, { method: "DELETE" });
      await hubspot.close();
    }
  });

  for (const [language, add, guide, token] of [
    ["en", "Add: End-of-call data API", "Set this server's public address under Settings", "Private app access token"],
    ["hu", "Hozzáadás: Hívás végi adatküldés API", "nyilvános címét a Beállítások oldalon", "Privát alkalmazás hozzáférési tokenje"],
  ] as const) {
    it(`the HubSpot call log preset shows its guide (public address, scope) and the token in HubSpot's words (${language})`, async () => {
      const context = await browser.newContext({ locale: language === "hu" ? "hu-HU" : "en-US", viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      try {
        await signInAsAdmin(page, baseUrl);
        await page.goto(`${baseUrl}/api-access`);
        await setLanguage(page, language);
        await page.getByRole("button", { name: add }).click();
        await page.getByLabel(ui[language].preset).selectOption("hubspot_call_log");
        await expect.poll(() => page.getByTestId("connector-guide").count(), slow).toBe(1);
        const text = await page.getByTestId("connector-guide").textContent();
        expect(text).toContain(guide);
        expect(text).toContain("crm.objects.contacts.write");
        expect(await page.getByLabel(token).count()).toBe(1);
        expect(await page.getByLabel("URL", { exact: true }).inputValue()).toBe("https://api.hubapi.com/crm/v3/objects/calls");
        await screenshot(page, `connector-hubspot-call-log-${language}`);
      } finally {
        await context.close();
      }
    });
  }

  for (const language of ["en", "hu"] as const) {
    it(`sets up MiniCRM without a template: keys, two users, Test with a number shows the extension and the contact (${language})`, async () => {
      const text = ui[language];
      const context = await browser.newContext({ locale: language === "hu" ? "hu-HU" : "en-US", viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      try {
        await signInAsAdmin(page, baseUrl);
        await page.goto(`${baseUrl}/api-access`);
        await setLanguage(page, language);
        await page.getByRole("button", { name: text.add }).click();
        await page.getByLabel(text.preset).selectOption("minicrm_lookup");
        await expect.poll(() => page.getByTestId("connector-guide").count(), slow).toBe(1);
        const name = `MiniCRM ${language}`;
        await page.getByLabel(text.name, { exact: true }).fill(name);
        await page.getByLabel("URL", { exact: true }).fill(`${minicrmUrl}/Api/R3/Contact?Query={{ call.caller.number | last_digits: 9 }}`);
        await page.getByLabel(text.systemId).fill("12345");
        await page.getByLabel(text.apiKey).fill("minicrm-api-key");
        await page.getByRole("button", { name: text.addUser }).click();
        await page.getByRole("button", { name: text.addUser }).click();
        const users = [
          ["3200", "Kiss Anna", "102"],
          ["3300", "Nagy Péter", "103"],
        ];
        for (const [index, [id, userName, extension]] of users.entries()) {
          await page.getByLabel(`${text.userId} ${index + 1}`).fill(id);
          await page.getByLabel(`${text.userName} ${index + 1}`).fill(userName);
          await page.getByLabel(`${text.extension} ${index + 1}`, { exact: true }).fill(extension);
        }
        await screenshot(page, `connector-minicrm-form-${language}`);
        // Only because the test's MiniCRM is a mock on loopback: the second request's address points at it too.
        await page.getByText(text.advanced).click();
        await page.getByLabel(text.step2Url).fill(`${minicrmUrl}/Api/R3/Project?ContactId={{ fields.contact_id }}`);
        await page.getByRole("button", { name: text.save, exact: true }).click();
        await page.getByRole("button", { name: text.savedIt }).click();

        await page.getByLabel(`${text.testNumber}: ${name}`).fill("06 30 111 2233");
        await page.getByRole("button", { name: `${text.test}: ${name}` }).click();
        const outcome = page.getByTestId("lookup-outcome");
        await expect.poll(() => outcome.count(), slow).toBe(1);
        expect(await outcome.textContent()).toContain(text.routes);
        expect(await outcome.textContent()).toContain("Varga László");
        expect(await page.getByTestId("test-report").textContent()).toContain("/Api/R3/Project?ContactId=4001");
        await screenshot(page, `connector-minicrm-test-${language}`);
        await page.getByRole("button", { name: text.close }).click();
      } finally {
        await context.close();
      }
    });
  }
});
