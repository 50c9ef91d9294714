import { afterEach, describe, expect, it } from "vitest";
import type { CallChannel, DialResult } from "@/flows/runtime/ports";
import { PbxError } from "./errors";
import { createWorld, CUSTOMER, DID, type World } from "./testing/world";

let world: World;
afterEach(() => world?.cleanup());

/** The flow dials 101, then says goodbye: what the dial returned is recorded. */
function dial101World() {
  const results: DialResult[] = [];
  const played: string[] = [];
  world = createWorld({
    flow: async (channel: CallChannel) => {
      results.push(await channel.dial({ targets: [{ type: "extension", number: "101" }], strategy: "simultaneous", ringTimeoutMs: 30_000, followForwarding: true }));
      const goodbye = await channel.play({ text: "Goodbye", language: "en" });
      if (goodbye.status === "completed") played.push("goodbye");
    },
  });
  return { results, played };
}

async function answeredAt101(talkMs: number) {
  const { callId } = world.pbx.placeInboundCall({ from: CUSTOMER, to: DID });
  await world.flush();
  world.pbx.answerPhone("101");
  await world.advance(talkMs);
  return callId;
}

describe("blind transfer", () => {
  it("closes the agent's leg as transferred_blind and opens one for the target", async () => {
    const { results } = dial101World();
    const callId = await answeredAt101(10_000);
    world.pbx.transfer("101", { to: "102", mode: "blind" });
    expect(world.pbx.callsOfExtension("101")).toEqual([]);
    expect(world.pbx.callsOfExtension("102")).toMatchObject([{ call_id: callId, status: "ringing", caller: { number: CUSTOMER } }]);
    await world.advance(3000);
    world.pbx.answerPhone("102");
    await world.advance(20_000);
    world.pbx.hangupPhone("102");
    await world.advance(5000);

    const [partial] = world.partialCdrs();
    expect(partial).toMatchObject({
      is_final: false,
      sequence: 1,
      leg_end_reason: "transferred_blind",
      answered_by: { extension: "101" },
      disposition: "answered",
      talk_time_s: 10,
    });
    expect(results).toEqual([{ status: "answered", answeredBy: { extension: "101", number: "101", userId: "user-101" } }]);
    expect(world.onlyFinalCdr()).toMatchObject({
      sequence: 2,
      requested: { extension: "102" },
      transferred_by: { extension: "101", user_id: "user-101" },
      answered_by: { extension: "102" },
      disposition: "answered",
      talk_time_s: 30,
      legs: [partial],
    });
    expect(world.eventsOf("call.transferred")).toMatchObject([{ data: { call_id: callId, mode: "blind", to: "102", transferred_by: { extension: "101" } } }]);
  });

  it("an unanswered transfer target hands the caller back to the flow", async () => {
    const { results, played } = dial101World();
    await answeredAt101(1000);
    world.pbx.transfer("101", { to: "102", mode: "blind" });
    await world.advance(30_000);
    expect(results).toMatchObject([{ status: "answered" }]);
    await world.advance(1000);
    expect(played).toEqual(["goodbye"]);
    expect(world.onlyFinalCdr()).toMatchObject({ sequence: 2, transferred_by: { extension: "101" }, disposition: "answered" });
    expect(world.onlyFinalCdr().legs?.[0]).toMatchObject({ leg_end_reason: "transferred_blind" });
  });

  it("the target's forwarding applies", async () => {
    dial101World();
    world.directory.setForwarding("102", { unconditional: { enabled: true, destination: { type: "extension", number: "103" } } });
    await answeredAt101(1000);
    world.pbx.transfer("101", { to: "102", mode: "blind" });
    await world.flush();
    expect(world.pbx.callsOfExtension("103")).toMatchObject([{ status: "ringing" }]);
    expect(world.partialCdrs().map((cdr) => cdr.leg_end_reason)).toEqual(["transferred_blind", "forwarded"]);
  });
});

describe("attended transfer", () => {
  it("holds the caller, consults the target, and completes when the transferor hangs up", async () => {
    dial101World();
    const callId = await answeredAt101(10_000);
    world.pbx.transfer("101", { to: "102", mode: "attended" });
    expect(world.pbx.getCall(callId)?.status).toBe("on_hold");
    expect(world.pbx.callsOfExtension("101")).toMatchObject([{ status: "on_hold" }]);
    expect(world.pbx.callsOfExtension("102")).toMatchObject([{ status: "ringing" }]);
    await world.advance(4000);
    world.pbx.answerPhone("102");
    await world.advance(6000);
    expect(world.partialCdrs()).toEqual([]);
    world.pbx.hangupPhone("101");
    expect(world.pbx.getCall(callId)?.status).toBe("answered");
    await world.advance(15_000);
    world.pbx.hangupPhone("102");
    await world.advance(1000);

    const [partial] = world.partialCdrs();
    expect(partial).toMatchObject({ leg_end_reason: "transferred_attended", answered_by: { extension: "101" }, talk_time_s: 10 });
    expect(world.onlyFinalCdr()).toMatchObject({
      sequence: 2,
      transferred_by: { extension: "101" },
      answered_by: { extension: "102" },
      requested: { extension: "102" },
      talk_time_s: 25,
    });
    expect(world.onlyFinalCdr().ring_time_s).toBe(4);
  });

  it("a second transfer by the transferor also completes it", async () => {
    dial101World();
    await answeredAt101(1000);
    world.pbx.transfer("101", { to: "102", mode: "attended" });
    expect(() => world.pbx.transfer("101", { to: "102", mode: "attended" })).toThrow(PbxError); // target not answered yet
    world.pbx.answerPhone("102");
    world.pbx.transfer("101", { to: "102", mode: "attended" });
    expect(world.pbx.callsOfExtension("101")).toEqual([]);
    expect(world.pbx.callsOfExtension("102")).toMatchObject([{ status: "answered" }]);
    expect(world.partialCdrs()).toMatchObject([{ leg_end_reason: "transferred_attended" }]);
  });

  it("an unanswered consultation gives the caller back to the transferor", async () => {
    dial101World();
    const callId = await answeredAt101(1000);
    world.pbx.setPhoneBehavior("102", { behavior: "no_answer" });
    world.pbx.transfer("101", { to: "102", mode: "attended" });
    await world.advance(30_000);
    expect(world.pbx.getCall(callId)?.status).toBe("answered");
    expect(world.pbx.callsOfExtension("101")).toMatchObject([{ status: "answered" }]);
    expect(world.pbx.callsOfExtension("102")).toEqual([]);
    expect(world.partialCdrs()).toEqual([]);
  });

  it("the caller hanging up during the consultation ends everything", async () => {
    const { results } = dial101World();
    const callId = await answeredAt101(1000);
    world.pbx.transfer("101", { to: "102", mode: "attended" });
    world.pbx.answerPhone("102");
    world.pbx.hangupCall(callId);
    await world.flush();
    expect(results).toEqual([{ status: "hangup" }]);
    expect(world.pbx.callsOfExtension("101")).toEqual([]);
    expect(world.pbx.callsOfExtension("102")).toEqual([]);
    expect(world.finalCdrs()).toHaveLength(1);
  });
});

describe("pickup", () => {
  it("another extension takes the ringing call: the ringing leg closes as picked_up", async () => {
    const { results } = dial101World();
    const { callId } = world.pbx.placeInboundCall({ from: CUSTOMER, to: DID });
    await world.advance(5000);
    world.pbx.pickup("103", callId);
    await world.flush();
    expect(world.pbx.callsOfExtension("101")).toEqual([]);
    expect(world.pbx.callsOfExtension("103")).toMatchObject([{ call_id: callId, status: "answered" }]);
    await world.advance(8000);
    world.pbx.hangupPhone("103");
    await world.advance(1000);
    const [partial] = world.partialCdrs();
    expect(partial).toMatchObject({ leg_end_reason: "picked_up", requested: { extension: "101" }, disposition: "no_answer", ring_time_s: 5 });
    expect(results).toMatchObject([{ status: "answered", answeredBy: { extension: "103" } }]);
    expect(world.onlyFinalCdr()).toMatchObject({ sequence: 2, requested: { extension: "101" }, answered_by: { extension: "103" }, talk_time_s: 8 });
  });

  it("without a call id, the longest-ringing call is picked up; nothing ringing is a conflict", async () => {
    dial101World();
    expect(() => world.pbx.pickup("103")).toThrow(/no call is ringing/);
    const first = world.pbx.placeInboundCall({ from: CUSTOMER, to: DID });
    await world.flush();
    world.pbx.pickup("103");
    await world.flush();
    expect(world.pbx.callsOfExtension("103")).toMatchObject([{ call_id: first.callId }]);
  });
});

describe("transfer by the calling side", () => {
  it("click-to-call: the agent hands the customer to a colleague", async () => {
    world = createWorld();
    const { callId } = world.pbx.clickToCall({ fromExtension: "101", to: CUSTOMER, autoAnswer: true });
    await world.advance(3000); // the customer answers after 3 s
    expect(world.pbx.getCall(callId)).toMatchObject({ status: "answered", direction: "outbound" });
    world.pbx.transfer("101", { to: "102", mode: "blind" });
    world.pbx.answerPhone("102");
    await world.advance(5000);
    world.pbx.hangupCall(callId); // the customer, now the caller side, hangs up
    await world.flush();
    expect(world.partialCdrs()).toMatchObject([{ leg_end_reason: "transferred_blind", answered_by: { number: CUSTOMER } }]);
    expect(world.onlyFinalCdr()).toMatchObject({ answered_by: { extension: "102" }, transferred_by: { extension: "101" }, talk_time_s: 5 });
  });

  it("refuses transfers from phones without a call", () => {
    world = createWorld();
    expect(() => world.pbx.transfer("101", { to: "102", mode: "blind" })).toThrow(/no call it can transfer/);
    expect(() => world.pbx.transfer("999", { to: "102", mode: "blind" })).toThrow(/unknown extension/);
  });
});
