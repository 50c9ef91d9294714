import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { flushPromises } from "@/flows/runtime/testing/manualClock";
import { agents, users } from "@/server/db/schema";
import { agentDailyReport } from "@/server/services/callCentre";
import { callApi, setupApiTest, type ApiTestContext } from "../testing/harness";
import {
  createContact,
  deleteContact,
  deleteForwardingRule,
  getContact,
  getExtensionForwarding,
  getForwardingRule,
  listAgentStates,
  listAgentStatusTimes,
  listCallRecords,
  listContacts,
  setForwardingRule,
  updateContact,
} from "./operations";

let ctx: ApiTestContext;
beforeEach(async () => {
  ctx = await setupApiTest({ demo: true });
});
afterEach(() => ctx.cleanup());

describe("phonebook API", () => {
  const body = { external_id: "crm-1", first_name: "Eve", last_name: "Kiss", numbers: [{ type: "mobile", number: "06 30 123 4567" }] };

  it("creates, reads, lists and searches contacts; a duplicate external_id is a 409", async () => {
    const created = await callApi(ctx, createContact, { body });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ external_id: "crm-1", numbers: [{ type: "mobile", number: "+36301234567" }], company: "", notes: "" });
    expect(created.headers.get("etag")).toBe('"1"');
    expect(created.headers.get("location")).toBe(`/api/v1/phonebook/contacts/${created.body.id}`);

    expect((await callApi(ctx, createContact, { body: { ...body, first_name: "Other" } })).status).toBe(409);
    expect((await callApi(ctx, getContact, { params: { id: created.body.id } })).body.first_name).toBe("Eve");
    const search = await callApi(ctx, listContacts, { query: { search: "+36 30 123 4567" } });
    expect(search.body).toMatchObject({ total: 1, items: [{ id: created.body.id }] });
    expect((await callApi(ctx, listContacts, { query: { limit: "2" } })).body).toMatchObject({ total: 5 });
  });

  it("rejects unknown fields, bad numbers and nameless contacts with field paths", async () => {
    const unknown = await callApi(ctx, createContact, { body: { ...body, favourite: "blue" } });
    expect(unknown.status).toBe(400);
    const badNumber = await callApi(ctx, createContact, { body: { ...body, numbers: [{ type: "work", number: "12" }] } });
    expect([badNumber.status, badNumber.body.errors[0].path]).toEqual([400, "numbers.0.number"]);
    const nameless = await callApi(ctx, createContact, { body: { email: "a@b.example" } });
    expect([nameless.status, nameless.body.errors[0].message]).toEqual([400, "A contact needs a first name, last name or company"]);
  });

  it("guards PUT and DELETE with If-Match so two CRMs cannot overwrite each other silently", async () => {
    const { body: contact } = await callApi(ctx, createContact, { body });
    const first = await callApi(ctx, updateContact, { params: { id: contact.id }, body: { ...body, notes: "from CRM A" }, headers: { "if-match": '"1"' } });
    expect([first.status, first.headers.get("etag"), first.body.version]).toEqual([200, '"2"', 2]);
    const second = await callApi(ctx, updateContact, { params: { id: contact.id }, body: { ...body, notes: "from CRM B" }, headers: { "if-match": '"1"' } });
    expect(second.status).toBe(412);
    expect((await callApi(ctx, getContact, { params: { id: contact.id } })).body.notes).toBe("from CRM A");

    expect((await callApi(ctx, deleteContact, { params: { id: contact.id }, headers: { "if-match": '"1"' } })).status).toBe(412);
    expect((await callApi(ctx, deleteContact, { params: { id: contact.id }, headers: { "if-match": '"2"' } })).status).toBe(204);
    expect((await callApi(ctx, getContact, { params: { id: contact.id } })).status).toBe(404);
  });

  it("needs phonebook:write to change and phonebook:read to read", async () => {
    const reader = await ctx.technicalUser({ scopes: ["phonebook:read"] });
    expect((await callApi(ctx, createContact, { body, auth: reader.auth })).status).toBe(403);
    expect((await callApi(ctx, listContacts, { auth: reader.auth })).status).toBe(200);
    expect((await callApi(ctx, listContacts, { auth: null })).status).toBe(401);
  });
});

describe("forwarding API", () => {
  const rule = { enabled: true, destination: { type: "external", number: "06 30 111 2233" } };

  it("sets, reads and deletes rules; the next call follows them", async () => {
    const set = await callApi(ctx, setForwardingRule, { params: { ext: "102", kind: "unconditional" }, body: { ...rule, destination: { type: "extension", number: "103" } } });
    expect(set.status).toBe(200);
    expect(set.headers.get("etag")).toBe(`"${set.body.etag}"`);
    const noAnswer = await callApi(ctx, setForwardingRule, { params: { ext: "102", kind: "no_answer" }, body: { ...rule, ring_timeout_s: 25 } });
    expect(noAnswer.body).toMatchObject({ destination: { type: "external", number: "+36301112233" }, ring_timeout_s: 25 });

    const all = await callApi(ctx, getExtensionForwarding, { params: { ext: "102" } });
    expect(all.body).toMatchObject({ unconditional: { destination: { number: "103" } }, busy: null, no_answer: { ring_timeout_s: 25 } });

    const { callId } = ctx.runtime.pbx.placeInboundCall({ from: "101", to: "102" });
    await ctx.clock.advanceAsync(1_000);
    expect(ctx.runtime.pbx.callsOfExtension("103").map((c) => c.call_id)).toEqual([callId]);

    expect((await callApi(ctx, deleteForwardingRule, { params: { ext: "102", kind: "unconditional" } })).status).toBe(204);
    expect((await callApi(ctx, deleteForwardingRule, { params: { ext: "102", kind: "unconditional" } })).status).toBe(204);
    expect((await callApi(ctx, getForwardingRule, { params: { ext: "102", kind: "unconditional" } })).status).toBe(404);
  });

  it("honours If-Match, validates destinations and knows only existing extensions", async () => {
    const created = await callApi(ctx, setForwardingRule, { params: { ext: "102", kind: "busy" }, body: rule });
    const etag = created.headers.get("etag")!;
    expect((await callApi(ctx, getForwardingRule, { params: { ext: "102", kind: "busy" } })).headers.get("etag")).toBe(etag);
    const updated = await callApi(ctx, setForwardingRule, { params: { ext: "102", kind: "busy" }, body: { ...rule, enabled: false }, headers: { "if-match": etag } });
    expect(updated.status).toBe(200);
    expect((await callApi(ctx, setForwardingRule, { params: { ext: "102", kind: "busy" }, body: rule, headers: { "if-match": etag } })).status).toBe(412);
    expect((await callApi(ctx, deleteForwardingRule, { params: { ext: "102", kind: "busy" }, headers: { "if-match": etag } })).status).toBe(412);
    expect((await callApi(ctx, setForwardingRule, { params: { ext: "102", kind: "unconditional" }, body: rule, headers: { "if-match": "*" } })).status).toBe(412);

    const self = await callApi(ctx, setForwardingRule, { params: { ext: "102", kind: "busy" }, body: { ...rule, destination: { type: "extension", number: "102" } } });
    expect([self.status, self.body.errors[0].path]).toEqual([400, "destination.number"]);
    expect((await callApi(ctx, setForwardingRule, { params: { ext: "102", kind: "busy" }, body: { ...rule, ring_timeout_s: 10 } })).status).toBe(400);
    expect((await callApi(ctx, setForwardingRule, { params: { ext: "999", kind: "busy" }, body: rule })).status).toBe(404);
    expect((await callApi(ctx, getExtensionForwarding, { params: { ext: "999" } })).status).toBe(404);
    const reader = await ctx.technicalUser({ scopes: ["forwarding:read"] });
    expect((await callApi(ctx, setForwardingRule, { params: { ext: "102", kind: "busy" }, body: rule, auth: reader.auth })).status).toBe(403);
  });
});

describe("agents API", () => {
  it("reports current states and time in state, matching the portal report exactly", async () => {
    const [{ id: agentId }] = await ctx.db
      .select({ id: agents.id })
      .from(agents)
      .innerJoin(users, eq(users.id, agents.userId))
      .where(eq(users.email, "peter.nagy@demo.example"))
      .limit(1);
    ctx.runtime.pbx.agentLogin(agentId);
    ctx.clock.advance(600_000);
    ctx.runtime.pbx.agentPause(agentId, "lunch");
    ctx.clock.advance(300_000);

    const states = await callApi(ctx, listAgentStates);
    expect(states.body.items.find((a: { agent_id: string }) => a.agent_id === agentId)).toMatchObject({ status: "paused", pause_reason: "lunch", since: "2026-11-24T09:10:00.000Z" });

    const report = await agentDailyReport(ctx.db, { fromDay: "2026-11-24", untilDay: "2026-11-24", timeZone: "Europe/Budapest" }, ctx.clock.now());
    const times = await callApi(ctx, listAgentStatusTimes, { query: { from: report.from, until: report.until } });
    expect(times.body.items).toEqual(report.totals);
    expect(times.body.items.find((i: { agent_id: string }) => i.agent_id === agentId)).toMatchObject({ available_s: 600, paused_s: 300, logged_in_s: 900, paused_by_reason: { lunch: 300 } });

    const one = await callApi(ctx, listAgentStatusTimes, { query: { from: report.from, until: report.until, agent_id: agentId } });
    expect(one.body.items).toHaveLength(1);
    expect((await callApi(ctx, listAgentStatusTimes, { query: { from: report.until, until: report.from } })).status).toBe(400);
    expect((await callApi(ctx, listAgentStatusTimes, { query: { from: "yesterday", until: report.until } })).status).toBe(400);
  });
});

describe("call history API", () => {
  it("returns finished calls as CDRs with a cursor, filtered by extension", async () => {
    for (const from of ["101", "103", "105"]) {
      const { callId } = ctx.runtime.pbx.placeInboundCall({ from, to: "102" });
      await ctx.clock.advanceAsync(2_000);
      ctx.runtime.pbx.hangupCall(callId);
      await flushPromises();
    }
    const other = ctx.runtime.pbx.placeInboundCall({ from: "103", to: "104" });
    await ctx.clock.advanceAsync(2_000);
    ctx.runtime.pbx.hangupCall(other.callId);
    await flushPromises();
    await ctx.durable();

    const first = await callApi(ctx, listCallRecords, { query: { limit: "2", extension: "102" } });
    expect(first.body.items.map((c: { caller: { number: string } }) => c.caller.number)).toEqual(["105", "103"]);
    const second = await callApi(ctx, listCallRecords, { query: { limit: "2", extension: "102", cursor: first.body.next_cursor } });
    expect(second.body.items.map((c: { caller: { number: string } }) => c.caller.number)).toEqual(["101"]);
    expect(second.body.next_cursor).toBeNull();
    expect((await callApi(ctx, listCallRecords)).body.items).toHaveLength(4);
    expect((await callApi(ctx, listCallRecords, { query: { cursor: "garbage" } })).status).toBe(400);
    const noScope = await ctx.technicalUser({ scopes: ["calls:read"] });
    expect((await callApi(ctx, listCallRecords, { auth: noScope.auth })).status).toBe(403);
  });
});
