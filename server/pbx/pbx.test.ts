import { afterEach, describe, expect, it } from "vitest";
import type { CallChannel, CallInfo } from "@/flows/runtime/ports";
import { PbxError } from "./errors";
import { Pbx } from "./pbx";
import { createWorld, CUSTOMER, DID, type World } from "./testing/world";

let world: World;
afterEach(() => world?.cleanup());

const dial101 = (channel: CallChannel) =>
  channel.dial({ targets: [{ type: "extension", number: "101" }], strategy: "simultaneous", ringTimeoutMs: 30_000, followForwarding: true });

describe("inbound calls", () => {
  it("an unknown DID is rejected with a clean final CDR and never reaches a flow", async () => {
    let flowRuns = 0;
    world = createWorld({ flow: async () => void flowRuns++ });
    const { callId, conversationId } = world.pbx.placeInboundCall({ from: CUSTOMER, to: "+3619999999" });
    await world.flush();
    expect(flowRuns).toBe(0);
    expect(world.onlyFinalCdr()).toMatchObject({
      call_id: callId,
      conversation_id: conversationId,
      is_final: true,
      sequence: 1,
      direction: "inbound",
      called_number: "+3619999999",
      disposition: "failed",
      hangup_cause: "unallocated_number",
      duration_s: 0,
      legs: [],
      recordings: [],
    });
    expect(world.pbx.getCall(callId)?.status).toBe("ended");
  });

  it("a known DID runs its flow with the call's facts, numbers normalised to E.164", async () => {
    const seen: CallInfo[] = [];
    world = createWorld({ flow: async (_channel, call) => void seen.push(call) });
    const { callId, conversationId } = world.pbx.placeInboundCall({ from: "06 30 123 4567", to: "06 1 234 5678" });
    await world.flush();
    expect(seen).toEqual([
      {
        id: callId,
        conversationId,
        direction: "inbound",
        caller: { number: CUSTOMER, numberRaw: "06 30 123 4567", name: "Anna Customer" },
        calledNumber: DID,
        startedAt: new Date(world.clock.now()).toISOString(),
        flowId: "main",
      },
    ]);
    expect(world.eventsOf("call.started")).toMatchObject([{ call: { call_id: callId, flow_id: "main", direction: "inbound" } }]);
    expect(world.onlyFinalCdr()).toMatchObject({ hangup_cause: "normal_clearing", flow_id: "main" });
  });

  it("a flow that throws ends the call as failed and is logged", async () => {
    world = createWorld({ flow: async () => Promise.reject(new Error("boom")) });
    world.pbx.placeInboundCall({ from: CUSTOMER, to: DID });
    await world.flush();
    expect(world.onlyFinalCdr()).toMatchObject({ disposition: "failed", hangup_cause: "flow_error" });
    expect(world.logger.entries.some((entry) => entry.level === "error" && entry.message === "call routine failed")).toBe(true);
  });

  it("announces ringing and answer at an extension with call.incoming-shaped data", async () => {
    world = createWorld({ flow: async (channel) => void (await dial101(channel)) });
    const { callId } = world.pbx.placeInboundCall({ from: CUSTOMER, to: DID });
    await world.advance(2000);
    world.pbx.answerPhone("101");
    const [ringing] = world.eventsOf("call.ringing");
    const [answered] = world.eventsOf("call.answered");
    const common = {
      call_id: callId,
      direction: "inbound",
      caller: { number: CUSTOMER, name: "Anna Customer" },
      called_number: DID,
      callee: { extension: "101", user_id: "user-101", number: "101" },
      queue_id: null,
    };
    expect(ringing.data).toMatchObject({ ...common, answered_at: null });
    expect(answered.data).toMatchObject({ ...common, answered_at: new Date(world.clock.now()).toISOString(), leg_id: ringing.data.leg_id });
  });

  it("a failing event sink is logged and never breaks the call", async () => {
    world = createWorld();
    const pbx = new Pbx({
      clock: world.clock,
      engine: world.engine,
      simulator: world.engine,
      directory: world.directory,
      logger: world.logger,
      sink: () => {
        throw new Error("disk full");
      },
    });
    world.pbx.shutdown(); // only the new PBX listens to the engine now
    const ended: string[] = [];
    pbx.subscribe((event) => event.type === "conversation.ended" && ended.push(event.cdr.hangup_cause));
    pbx.placeInboundCall({ from: "101", to: "102" });
    await world.flush();
    pbx.answerPhone("102");
    pbx.hangupPhone("102");
    await world.flush();
    expect(ended).toEqual(["normal_clearing"]);
    expect(world.logger.entries.filter((entry) => entry.message === "event listener failed").length).toBeGreaterThan(0);
  });
});

describe("click-to-call", () => {
  it("rings the extension first, then dials the number when it answers", async () => {
    world = createWorld();
    const started = world.pbx.clickToCall({ fromExtension: "101", to: "06 30 123 4567" });
    expect(started.status).toBe("initiated");
    await world.flush();
    expect(world.pbx.callsOfExtension("101")).toMatchObject([{ status: "ringing", callee: { number: CUSTOMER } }]);
    world.pbx.answerPhone("101");
    await world.flush();
    expect(world.pbx.getCall(started.callId)).toMatchObject({ status: "ringing", direction: "outbound", caller: { number: "101", name: "User 101" } });
    await world.advance(3000);
    expect(world.pbx.getCall(started.callId)).toMatchObject({ status: "answered", callee: { number: CUSTOMER, name: "Anna Customer" } });
    expect(world.pbx.callsOfExtension("101")).toMatchObject([{ status: "answered", caller: { number: "101" }, callee: { number: CUSTOMER } }]);
    await world.advance(60_000);
    world.pbx.hangupPhone("101");
    await world.flush();
    expect(world.onlyFinalCdr()).toMatchObject({
      direction: "outbound",
      caller: { number: "101", name: "User 101" },
      called_number: CUSTOMER,
      requested: { number: CUSTOMER },
      answered_by: { number: CUSTOMER },
      disposition: "answered",
      ring_time_s: 3,
      talk_time_s: 60,
      hangup_cause: "caller_hangup",
    });
  });

  it("ends as cancelled when the extension does not pick up within timeout_s", async () => {
    world = createWorld();
    world.pbx.clickToCall({ fromExtension: "101", to: CUSTOMER, timeoutS: 20 });
    await world.advance(20_000);
    expect(world.onlyFinalCdr()).toMatchObject({ disposition: "cancelled", hangup_cause: "originator_no_answer" });
    expect(world.pbx.callsOfExtension("101")).toEqual([]);
  });

  it("calling an extension is internal and honours its forwarding", async () => {
    world = createWorld();
    world.directory.setForwarding("102", { unconditional: { enabled: true, destination: { type: "extension", number: "103" } } });
    const { callId } = world.pbx.clickToCall({ fromExtension: "101", to: "102", autoAnswer: true });
    await world.flush();
    expect(world.pbx.getCall(callId)?.direction).toBe("internal");
    expect(world.pbx.callsOfExtension("103")).toMatchObject([{ status: "ringing", caller: { number: "101" } }]);
  });

  it("rejects unknown extensions and undiallable numbers", () => {
    world = createWorld();
    expect(() => world.pbx.clickToCall({ fromExtension: "999", to: CUSTOMER })).toThrow(PbxError);
    expect(() => world.pbx.clickToCall({ fromExtension: "101", to: "abc" })).toThrow(/neither an enabled extension nor a dialable number/);
  });
});

describe("outbound IVR calls", () => {
  it("dials the number and runs the flow with its variables once answered", async () => {
    const seen: { call: CallInfo; variables: Record<string, unknown> }[] = [];
    world = createWorld({
      flow: async (channel, call, variables) => {
        seen.push({ call, variables });
        await channel.play({ text: "Your parcel arrives today", language: "en" });
      },
    });
    const { callId } = world.pbx.originateIvrCall({ to: CUSTOMER, flowId: "survey", callerId: "+3612345678", variables: { order: 42 } });
    await world.advance(2999);
    expect(seen).toEqual([]);
    expect(world.pbx.getCall(callId)?.status).toBe("ringing");
    await world.advance(1);
    expect(seen).toMatchObject([{ call: { direction: "outbound", flowId: "survey", calledNumber: CUSTOMER, caller: { number: DID } }, variables: { order: 42 } }]);
    await world.advance(10_000);
    expect(world.onlyFinalCdr()).toMatchObject({ direction: "outbound", answered_by: { number: CUSTOMER }, disposition: "answered", ring_time_s: 3, flow_id: "survey" });
  });

  it.each([
    ["busy", "busy"],
    ["offline", "failed"],
  ] as const)("a %s callee ends the call as %s", async (behavior, disposition) => {
    world = createWorld({ flow: async () => undefined });
    world.engine.setExternalBehavior(CUSTOMER, { behavior });
    world.pbx.originateIvrCall({ to: CUSTOMER, flowId: "survey" });
    await world.flush();
    expect(world.onlyFinalCdr()).toMatchObject({ disposition });
  });

  it("gives up after 30 s of ringing", async () => {
    world = createWorld();
    world.engine.setExternalBehavior(CUSTOMER, { behavior: "no_answer" });
    world.pbx.originateIvrCall({ to: CUSTOMER, flowId: "survey" });
    await world.advance(30_000);
    expect(world.onlyFinalCdr()).toMatchObject({ disposition: "no_answer", ring_time_s: 30 });
  });

  it("the callee hanging up mid-flow is the callee's hang-up", async () => {
    world = createWorld({ flow: async (channel) => void (await channel.collectDigits({ minLength: 1, maxLength: 1, terminator: "", timeoutMs: 60_000 })) });
    const { callId } = world.pbx.originateIvrCall({ to: CUSTOMER, flowId: "survey" });
    await world.advance(5000);
    world.pbx.hangupCall(callId);
    await world.flush();
    expect(world.onlyFinalCdr().hangup_cause).toBe("callee_hangup");
  });
});

describe("views", () => {
  it("getCall follows the call through its states and lists its legs", async () => {
    world = createWorld({ flow: async (channel) => void (await dial101(channel)) });
    world.directory.setForwarding("101", { no_answer: { enabled: true, ring_timeout_s: 5, destination: { type: "extension", number: "102" } } });
    const { callId, conversationId } = world.pbx.placeInboundCall({ from: CUSTOMER, to: DID });
    await world.flush();
    expect(world.pbx.getCall(callId)).toMatchObject({ status: "ringing", legs: [{ sequence: 1, requested: { extension: "101" }, disposition: null, ended_at: null }] });
    await world.advance(5000);
    world.pbx.answerPhone("102");
    const view = world.pbx.getCall(callId)!;
    expect(view).toMatchObject({
      call_id: callId,
      conversation_id: conversationId,
      status: "answered",
      direction: "inbound",
      caller: { number: CUSTOMER, name: "Anna Customer" },
      callee: { number: "102", name: "User 102" },
      ended_at: null,
    });
    expect(view.legs.map((leg) => [leg.sequence, leg.leg_end_reason, leg.disposition])).toEqual([
      [1, "forwarded", "no_answer"],
      [2, null, null],
    ]);
    expect(world.pbx.listActiveCalls().map((call) => call.call_id)).toEqual([callId]);
    world.pbx.hangupCall(callId);
    await world.flush();
    expect(world.pbx.getCall(callId)).toMatchObject({ status: "ended", ended_at: new Date(world.clock.now()).toISOString() });
    expect(world.pbx.getCall(callId)?.legs[1]).toMatchObject({ disposition: "answered", leg_end_reason: "normal" });
    expect(world.pbx.listActiveCalls()).toEqual([]);
    expect(world.pbx.getCall("nope")).toBeNull();
  });
});

describe("lifecycle", () => {
  it("closeInterruptedCalls gives calls open at a crash a failed / system_restart final CDR", () => {
    world = createWorld();
    const cdrs = world.pbx.closeInterruptedCalls([
      {
        snapshot: {
        call_id: "c1",
        conversation_id: "v1",
        direction: "inbound",
        caller: { number: CUSTOMER, name: null },
        called_number: DID,
        flow_id: "main",
        started_at: "2026-01-05T08:59:00.000Z",
        answered_at: "2026-01-05T08:59:10.000Z",
        },
        partials: [],
      },
    ]);
    expect(cdrs).toEqual([
      expect.objectContaining({
        call_id: "c1",
        conversation_id: "v1",
        is_final: true,
        disposition: "failed",
        hangup_cause: "system_restart",
        ended_at: "2026-01-05T09:00:00.000Z",
        duration_s: 60,
        talk_time_s: 50,
      }),
    ]);
    expect(world.finalCdrs()).toEqual(cdrs);
  });

  it("shutdown ends every call with a final CDR and releases flows", async () => {
    const results: unknown[] = [];
    world = createWorld({ flow: async (channel) => void results.push(await dial101(channel)) });
    world.pbx.placeInboundCall({ from: CUSTOMER, to: DID });
    world.pbx.placeInboundCall({ from: "103", to: "102" });
    await world.flush();
    world.pbx.shutdown();
    await world.flush();
    expect(results).toEqual([{ status: "hangup" }]);
    expect(world.finalCdrs().map((cdr) => cdr.hangup_cause)).toEqual(["system_shutdown", "system_shutdown"]);
    expect(world.pbx.listActiveCalls()).toEqual([]);
  });
});
