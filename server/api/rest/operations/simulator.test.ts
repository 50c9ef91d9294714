import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { flushPromises } from "@/flows/runtime/testing/manualClock";
import { callApi, setupApiTest, type ApiTestContext } from "../testing/harness";
import { answerPhone, getSimulatedCall, hangUpPhone, hangUpSimulatedCall, placeSimulatedCall, pressDigits, setAgentState, setPhone, transferFromPhone } from "./simulator";
import { listAgentStates } from "./operations";
import { getCall, listExtensionCalls } from "./calls";

let ctx: ApiTestContext;
beforeEach(async () => {
  // A Tuesday, 10:00 in Budapest: the demo reception flow is open.
  ctx = await setupApiTest({ demo: true, now: "2026-11-24T09:00:00.000Z" });
});
afterEach(() => ctx.cleanup());

const call = (id: string) => callApi(ctx, getSimulatedCall, { params: { id } });

describe("a whole call over the simulator API", () => {
  it("calls the demo DID, presses 1, is answered by 101, hangs up, and reads the trace", async () => {
    const placed = await callApi(ctx, placeSimulatedCall, { body: { from: "06 30 111 2233", to: "+3612345678" } });
    expect(placed.status).toBe(201);
    const id = placed.body.call_id;

    await ctx.clock.advanceAsync(2_000);
    const inMenu = await call(id);
    expect(inMenu.body).toMatchObject({ call_id: id, status: "in_flow", direction: "inbound", current_node_id: "menu", caller: { number: "+36301112233" } });

    expect((await callApi(ctx, pressDigits, { params: { id }, body: { digits: "1" } })).status).toBe(204);
    await ctx.clock.advanceAsync(500);
    expect((await call(id)).body.current_node_id).toBe("sales");
    const ringing = await callApi(ctx, listExtensionCalls, { params: { ext: "101" } });
    expect(ringing.body.items).toEqual([expect.objectContaining({ call_id: id, status: "ringing" })]);

    expect((await callApi(ctx, answerPhone, { params: { ext: "101" } })).status).toBe(204);
    await ctx.clock.advanceAsync(30_000);
    const talking = await call(id);
    expect(talking.body.status).toBe("answered");
    expect(talking.body.callee).toMatchObject({ number: "101" });

    expect((await callApi(ctx, hangUpSimulatedCall, { params: { id } })).status).toBe(204);
    await flushPromises();
    const ended = await call(id);
    expect(ended.body.status).toBe("ended");
    expect(ended.body.current_node_id).toBeNull();
    expect(ended.body.trace.map((step: { node_id: string }) => step.node_id)).toEqual(["start", "hours", "menu", "sales"]);
    expect(ended.body.trace[2]).toMatchObject({ type: "menu", branch: "1" });
    expect(ended.body.legs.at(-1)).toMatchObject({ answered_by: { extension: "101" }, disposition: "answered" });
  });

  it("reads an ended call back from its CDR and trace once the PBX has forgotten it", async () => {
    const id = (await callApi(ctx, placeSimulatedCall, { body: { from: "+36301112233", to: "+3612345678" } })).body.call_id;
    await ctx.clock.advanceAsync(2_000);
    await callApi(ctx, hangUpSimulatedCall, { params: { id } });
    await flushPromises();
    await ctx.durable(); // the CDR and trace are committed (PostgreSQL's writer queues them)
    ctx.runtime.shutdown();
    const { Runtime, installRuntimeForTests } = await import("@/server/runtime");
    const restarted = new Runtime({ data: await ctx.runtimeStore(), recordingsDir: ctx.dir, logger: { debug() {}, info() {}, warn() {}, error() {} }, clock: ctx.clock });
    installRuntimeForTests(restarted);
    ctx.runtime = restarted;

    const fromCdr = await callApi(ctx, getCall, { params: { call_id: id } });
    expect(fromCdr.body).toMatchObject({ call_id: id, status: "ended", caller: { number: "+36301112233" } });
    const simulated = await call(id);
    expect(simulated.body.trace.map((s: { node_id: string }) => s.node_id)).toEqual(["start", "hours", "menu"]);
  });

  it("drives phones: behaviour, transfer, hang-up; refuses impossible actions with 404/409", async () => {
    const phone = await callApi(ctx, setPhone, { params: { ext: "102" }, body: { behavior: "answer", answer_after_s: 2 } });
    expect(phone.body).toEqual({ extension: "102", behavior: "answer", answer_after_s: 2 });

    const id = (await callApi(ctx, placeSimulatedCall, { body: { from: "105", to: "101" } })).body.call_id;
    await ctx.clock.advanceAsync(100);
    await callApi(ctx, answerPhone, { params: { ext: "101" } });
    await ctx.clock.advanceAsync(5_000);
    expect((await callApi(ctx, transferFromPhone, { params: { ext: "101" }, body: { to: "102", mode: "blind" } })).status).toBe(204);
    await ctx.clock.advanceAsync(5_000);
    const transferred = await call(id);
    expect(transferred.body.callee).toMatchObject({ number: "102" });
    expect(transferred.body.legs[0].leg_end_reason).toBe("transferred_blind");

    expect((await callApi(ctx, hangUpPhone, { params: { ext: "102" } })).status).toBe(204);
    await flushPromises();
    expect((await call(id)).body.status).toBe("ended");

    expect((await callApi(ctx, answerPhone, { params: { ext: "103" } })).status).toBe(409);
    expect((await callApi(ctx, answerPhone, { params: { ext: "199" } })).status).toBe(404);
    expect((await callApi(ctx, pressDigits, { params: { id: "call_nope" }, body: { digits: "1" } })).status).toBe(404);
    expect((await callApi(ctx, transferFromPhone, { params: { ext: "101" }, body: { to: "103", mode: "attended" } })).status).toBe(409);
  });

  it("needs the simulator scope", async () => {
    const reader = await ctx.technicalUser({ scopes: ["calls:read"] });
    expect((await callApi(ctx, placeSimulatedCall, { auth: reader.auth, body: { from: "+36301112233", to: "+3612345678" } })).status).toBe(403);
  });
});

describe("agents over the simulator API", () => {
  it("log in, pause with a reason, resume and log out; a logged-out agent cannot pause", async () => {
    const [agent] = (await callApi(ctx, listAgentStates, {})).body.items;
    const set = (body: { status: "available" | "paused" | "logged_out"; pause_reason?: string }) => callApi(ctx, setAgentState, { params: { agent_id: agent.agent_id }, body });

    expect((await set({ status: "paused" })).status).toBe(409);
    expect((await set({ status: "available" })).body).toMatchObject({ agent_id: agent.agent_id, status: "available" });
    expect((await set({ status: "paused", pause_reason: "lunch" })).body).toMatchObject({ status: "paused", pause_reason: "lunch" });
    expect((await set({ status: "available" })).body.status).toBe("available");
    expect((await set({ status: "logged_out" })).body.status).toBe("logged_out");
    expect((await callApi(ctx, setAgentState, { params: { agent_id: "agt_nope" }, body: { status: "available" } })).status).toBe(404);
  });
});
