import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { flushPromises } from "@/flows/runtime/testing/manualClock";
import { callApi, setupApiTest, type ApiTestContext } from "../testing/harness";
import { clickToCall, getCall, listExtensionCalls, startIvrCall } from "./calls";
import { answerPhone } from "./simulator";
import { listFlows } from "./flows";

let ctx: ApiTestContext;
beforeEach(async () => {
  ctx = await setupApiTest({ demo: true });
});
afterEach(() => ctx.cleanup());

describe("POST /calls (click-to-call)", () => {
  it("rings the extension first, then dials the national-form number once it answers", async () => {
    const started = await callApi(ctx, clickToCall, { body: { from_extension: "101", to: "06 30 111 2233" } });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ call_id: expect.any(String), conversation_id: expect.any(String) });
    const id = started.body.call_id;
    await ctx.clock.advanceAsync(100);
    expect((await callApi(ctx, listExtensionCalls, { params: { ext: "101" } })).body.items).toEqual([
      expect.objectContaining({ call_id: id, status: "ringing", direction: "outbound" }),
    ]);
    await callApi(ctx, answerPhone, { params: { ext: "101" } });
    await ctx.clock.advanceAsync(5_000); // the external number answers after 3 s
    const view = await callApi(ctx, getCall, { params: { call_id: id } });
    expect(view.body).toMatchObject({ status: "answered", callee: { number: "+36301112233" } });
  });

  it("answers 404 for an unknown extension and 400 naming each bad field", async () => {
    expect((await callApi(ctx, clickToCall, { body: { from_extension: "199", to: "+36301112233" } })).status).toBe(404);
    const bad = await callApi(ctx, clickToCall, { body: { from_extension: "abc", to: "not a number", timeout_s: 0, colour: "red" } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(["colour", "from_extension", "timeout_s", "to"]);
    expect(bad.body.errors.find((e: { path: string }) => e.path === "colour")).toMatchObject({ code: "unknown_field", message: expect.stringContaining("colour") });
  });

  it("replays the first response for the same Idempotency-Key and body, and refuses a different body with 422", async () => {
    const headers = { "idempotency-key": "crm-click-42" };
    const first = await callApi(ctx, clickToCall, { headers, body: { from_extension: "101", to: "+36301112233" } });
    const again = await callApi(ctx, clickToCall, { headers, rawBody: '{ "to": "+36301112233", "from_extension": "101" }' });
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(ctx.runtime.pbx.listActiveCalls()).toHaveLength(1);
    const different = await callApi(ctx, clickToCall, { headers, body: { from_extension: "102", to: "+36301112233" } });
    expect(different.status).toBe(422);
    // Another technical user's key space is its own.
    const other = await ctx.technicalUser();
    expect((await callApi(ctx, clickToCall, { auth: other.auth, headers, body: { from_extension: "102", to: "+36301112233" } })).status).toBe(202);
  });
});

describe("POST /ivr-calls", () => {
  it("dials the number and runs the published flow with the given variables once answered", async () => {
    const flowId = (await callApi(ctx, listFlows)).body.items[0].id;
    const started = await callApi(ctx, startIvrCall, { body: { to: "+36301112233", flow_id: flowId, variables: { customer_id: "C-1" } } });
    expect(started.status).toBe(202);
    await ctx.clock.advanceAsync(5_000);
    // Once answered, the published flow is read from the database: real I/O on PostgreSQL, which the manual clock does not wait for.
    await vi.waitFor(async () => {
      await ctx.clock.advanceAsync(100);
      expect(ctx.runtime.live.get(started.body.call_id)?.currentNodeId).toBe("menu");
    });
    expect((await callApi(ctx, getCall, { params: { call_id: started.body.call_id } })).body).toMatchObject({ direction: "outbound", status: "in_flow" });
  });

  it("refuses a flow that does not exist, naming flow_id, and bad variable names", async () => {
    const missing = await callApi(ctx, startIvrCall, { body: { to: "+36301112233", flow_id: "flw_nope" } });
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual([{ path: "flow_id", field: "flow_id", code: "flow_not_published", message: expect.stringContaining("flw_nope") }]);
    const badVariables = await callApi(ctx, startIvrCall, { body: { to: "+36301112233", flow_id: "x", variables: { "Bad Name": 1 } } });
    expect(badVariables.status).toBe(400);
    expect(badVariables.body.errors[0].path).toBe("variables.Bad Name");
  });
});

describe("GET /calls/{call_id} and /extensions/{ext}/calls", () => {
  it("answer 404 for unknown calls and extensions, 400 for a malformed extension", async () => {
    expect((await callApi(ctx, getCall, { params: { call_id: "nope" } })).status).toBe(404);
    expect((await callApi(ctx, listExtensionCalls, { params: { ext: "199" } })).status).toBe(404);
    const malformed = await callApi(ctx, listExtensionCalls, { params: { ext: "0x" } });
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors[0].path).toBe("path.ext");
    expect((await callApi(ctx, listExtensionCalls, { params: { ext: "103" } })).body).toEqual({ items: [] });
    await flushPromises();
  });
});
