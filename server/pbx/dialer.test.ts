import { afterEach, describe, expect, it } from "vitest";
import type { CallChannel, DialRequest, DialResult } from "@/flows/runtime/ports";
import { createWorld, CUSTOMER, DID, type World } from "./testing/world";

let world: World;
afterEach(() => world?.cleanup());

const toExtension = (number: string, ringTimeoutMs = 20_000): DialRequest => ({
  targets: [{ type: "extension", number }],
  strategy: "simultaneous",
  ringTimeoutMs,
  followForwarding: true,
});

/** A world whose flow dials once and records what the dial returned. */
function dialOnce(request: DialRequest) {
  const results: DialResult[] = [];
  world = createWorld({
    flow: async (channel: CallChannel) => {
      results.push(await channel.dial(request));
    },
  });
  return results;
}

const ringingAt = (extension: string) => world.pbx.callsOfExtension(extension).filter((item) => item.status === "ringing").length;

describe("direct internal calls", () => {
  it("101 calls 102: rings, is answered, and ends with one answered CDR when 102 hangs up", async () => {
    world = createWorld();
    const { callId } = world.pbx.placeInboundCall({ from: "101", to: "102" });
    await world.flush();
    expect(world.pbx.callsOfExtension("102")).toMatchObject([{ call_id: callId, status: "ringing", caller: { number: "101", name: "User 101" } }]);
    expect(world.pbx.getCall(callId)).toMatchObject({ status: "ringing", direction: "internal" });
    await world.advance(4000);
    world.pbx.answerPhone("102");
    expect(world.pbx.getCall(callId)).toMatchObject({ status: "answered", callee: { number: "102", name: "User 102" } });
    await world.advance(10_000);
    world.pbx.hangupPhone("102");
    await world.flush();
    const cdr = world.onlyFinalCdr();
    expect(cdr).toMatchObject({
      is_final: true,
      direction: "internal",
      caller: { number: "101", name: "User 101" },
      called_number: "102",
      requested: { extension: "102" },
      answered_by: { extension: "102", user_id: "user-102" },
      disposition: "answered",
      ring_time_s: 4,
      talk_time_s: 10,
      duration_s: 14,
      legs: [],
    });
    expect(world.pbx.getCall(callId)?.status).toBe("ended");
    expect(world.pbx.callsOfExtension("101")).toEqual([]);
  });

  it("an extension dialling an external number makes an outbound call", async () => {
    world = createWorld({ externalBehavior: { behavior: "answer", answer_after_s: 3, hangup_after_s: 7 } });
    world.pbx.placeInboundCall({ from: "101", to: "06 30 123 4567" });
    await world.advance(20_000);
    expect(world.onlyFinalCdr()).toMatchObject({
      direction: "outbound",
      called_number: CUSTOMER,
      answered_by: { extension: null, number: CUSTOMER },
      disposition: "answered",
      ring_time_s: 3,
      talk_time_s: 7,
    });
  });
});

describe("dial_extension outcomes", () => {
  it.each([
    ["busy", "busy", "busy"],
    ["dnd", "busy", "busy"],
    ["offline", "failed", "failed"],
  ] as const)("a %s phone gives %s", async (behavior, status, disposition) => {
    const results = dialOnce(toExtension("101"));
    world.pbx.setPhoneBehavior("101", { behavior });
    world.pbx.placeInboundCall({ from: CUSTOMER, to: DID });
    await world.advance(100);
    expect(results).toEqual([{ status }]);
    expect(world.onlyFinalCdr()).toMatchObject({ disposition, requested: { extension: "101" }, answered_by: null });
  });

  it("no answer within the ring timeout gives no_answer and stops the ringing", async () => {
    const results = dialOnce(toExtension("101", 15_000));
    world.pbx.placeInboundCall({ from: CUSTOMER, to: DID });
    await world.advance(14_999);
    expect(results).toEqual([]);
    expect(ringingAt("101")).toBe(1);
    await world.advance(1);
    expect(results).toEqual([{ status: "no_answer" }]);
    expect(ringingAt("101")).toBe(0);
    expect(world.onlyFinalCdr()).toMatchObject({ disposition: "no_answer", ring_time_s: 15, talk_time_s: 0 });
  });

  it("an answered dial returns after the agent hangs up, so the flow can continue", async () => {
    const results = dialOnce(toExtension("101"));
    world.pbx.setPhoneBehavior("101", { behavior: "answer", answer_after_s: 2 });
    const { callId } = world.pbx.placeInboundCall({ from: CUSTOMER, to: DID });
    await world.advance(30_000);
    expect(results).toEqual([]);
    expect(world.pbx.getCall(callId)?.status).toBe("answered");
    world.pbx.hangupPhone("101");
    await world.flush();
    expect(results).toEqual([{ status: "answered", answeredBy: { extension: "101", number: "101", userId: "user-101" } }]);
    expect(world.onlyFinalCdr()).toMatchObject({ disposition: "answered", caller: { number: CUSTOMER, name: "Anna Customer" }, ring_time_s: 2, talk_time_s: 28 });
  });

  it("an unknown or disabled extension fails at once", async () => {
    const results = dialOnce(toExtension("999"));
    world.directory.addExtension({ number: "106", enabled: false });
    world.pbx.placeInboundCall({ from: CUSTOMER, to: DID });
    await world.flush();
    expect(results).toEqual([{ status: "failed" }]);
  });
});

describe("forwarding", () => {
  it("unconditional forwarding closes the first leg as forwarded and rings the destination", async () => {
    const results = dialOnce(toExtension("101"));
    world.directory.setForwarding("101", { unconditional: { enabled: true, destination: { type: "extension", number: "102" } } });
    world.pbx.placeInboundCall({ from: CUSTOMER, to: DID });
    await world.flush();
    expect(ringingAt("101")).toBe(0);
    expect(ringingAt("102")).toBe(1);
    world.pbx.answerPhone("102");
    world.pbx.hangupPhone("102");
    await world.flush();
    expect(results[0]).toMatchObject({ status: "answered", answeredBy: { extension: "102" } });
    const [partial] = world.partialCdrs();
    expect(partial).toMatchObject({ is_final: false, sequence: 1, leg_end_reason: "forwarded", requested: { extension: "101" }, disposition: "cancelled" });
    expect(world.onlyFinalCdr()).toMatchObject({
      sequence: 2,
      requested: { extension: "102" },
      forwarded_from: { extension: "101" },
      answered_by: { extension: "102" },
      disposition: "answered",
      legs: [partial],
    });
  });

  it("busy forwarding to an external number", async () => {
    const results = dialOnce(toExtension("101"));
    world.pbx.setPhoneBehavior("101", { behavior: "busy" });
    world.directory.setForwarding("101", { busy: { enabled: true, destination: { type: "external", number: "+36209876543" } } });
    world.pbx.placeInboundCall({ from: CUSTOMER, to: DID });
    await world.advance(3000); // external numbers answer after 3 s
    expect(world.partialCdrs()).toMatchObject([{ leg_end_reason: "forwarded", disposition: "busy", hangup_cause: "user_busy" }]);
    world.pbx.hangupCall(world.pbx.listActiveCalls()[0].call_id);
    await world.flush();
    expect(results).toEqual([{ status: "hangup" }]);
    expect(world.onlyFinalCdr()).toMatchObject({
      requested: { number: "+36209876543" },
      answered_by: { extension: null, number: "+36209876543" },
      forwarded_from: { extension: "101" },
      hangup_cause: "caller_hangup",
    });
  });

  it("a no-answer chain uses each extension's own ring timeout", async () => {
    const results = dialOnce(toExtension("101", 60_000));
    world.directory.setForwarding("101", { no_answer: { enabled: true, ring_timeout_s: 5, destination: { type: "extension", number: "102" } } });
    world.directory.setForwarding("102", { no_answer: { enabled: true, ring_timeout_s: 8, destination: { type: "extension", number: "103" } } });
    world.pbx.placeInboundCall({ from: CUSTOMER, to: DID });
    await world.advance(5000);
    expect([ringingAt("101"), ringingAt("102")]).toEqual([0, 1]);
    await world.advance(8000);
    expect([ringingAt("102"), ringingAt("103")]).toEqual([0, 1]);
    world.pbx.answerPhone("103");
    world.pbx.hangupPhone("103");
    await world.flush();
    expect(results[0]).toMatchObject({ status: "answered", answeredBy: { extension: "103" } });
    expect(world.partialCdrs().map((cdr) => [cdr.requested.extension, cdr.disposition, cdr.ring_time_s])).toEqual([
      ["101", "no_answer", 5],
      ["102", "no_answer", 8],
    ]);
    expect(world.onlyFinalCdr()).toMatchObject({ sequence: 3, forwarded_from: { extension: "102" }, ring_time_s: 13 });
  });

  it("an offline phone follows the no-answer rule at once", async () => {
    dialOnce(toExtension("101"));
    world.pbx.setPhoneBehavior("101", { behavior: "offline" });
    world.directory.setForwarding("101", { no_answer: { enabled: true, ring_timeout_s: 30, destination: { type: "extension", number: "102" } } });
    world.pbx.placeInboundCall({ from: CUSTOMER, to: DID });
    await world.flush();
    expect(ringingAt("102")).toBe(1);
    expect(world.partialCdrs()).toMatchObject([{ disposition: "failed", hangup_cause: "unreachable" }]);
  });

  it("a forwarding loop stops at the first extension already tried", async () => {
    const results = dialOnce(toExtension("101", 20_000));
    world.directory.setForwarding("101", { no_answer: { enabled: true, ring_timeout_s: 5, destination: { type: "extension", number: "102" } } });
    world.directory.setForwarding("102", { no_answer: { enabled: true, ring_timeout_s: 5, destination: { type: "extension", number: "101" } } });
    world.pbx.placeInboundCall({ from: CUSTOMER, to: DID });
    // 101 rings 5 s; 102's rule would loop back, so 102 rings for the dial's own 20 s.
    await world.advance(24_999);
    expect(results).toEqual([]);
    await world.advance(1);
    expect(results).toEqual([{ status: "no_answer" }]);
    expect(world.partialCdrs()).toHaveLength(1);
    expect(world.onlyFinalCdr()).toMatchObject({ requested: { extension: "102" }, disposition: "no_answer", ring_time_s: 25 });
  });

  it("an unconditional loop rings the last extension before the loop", async () => {
    dialOnce(toExtension("101"));
    world.directory.setForwarding("101", { unconditional: { enabled: true, destination: { type: "extension", number: "102" } } });
    world.directory.setForwarding("102", { unconditional: { enabled: true, destination: { type: "extension", number: "101" } } });
    world.pbx.placeInboundCall({ from: CUSTOMER, to: DID });
    await world.flush();
    expect([ringingAt("101"), ringingAt("102")]).toEqual([0, 1]);
  });

  it("ring groups ignore forwarding", async () => {
    dialOnce({ targets: [{ type: "extension", number: "101" }, { type: "extension", number: "102" }], strategy: "simultaneous", ringTimeoutMs: 10_000, followForwarding: false });
    world.directory.setForwarding("101", { unconditional: { enabled: true, destination: { type: "extension", number: "103" } } });
    world.pbx.placeInboundCall({ from: CUSTOMER, to: DID });
    await world.flush();
    expect([ringingAt("101"), ringingAt("102"), ringingAt("103")]).toEqual([1, 1, 0]);
  });
});

describe("ring groups", () => {
  const group = (strategy: "simultaneous" | "sequential"): DialRequest => ({
    targets: ["101", "102", "103"].map((number) => ({ type: "extension" as const, number })),
    strategy,
    ringTimeoutMs: 10_000,
    followForwarding: false,
  });

  it("simultaneous: all ring, the first to answer wins and the others stop", async () => {
    const results = dialOnce(group("simultaneous"));
    world.pbx.placeInboundCall({ from: CUSTOMER, to: DID });
    await world.advance(1000);
    expect(["101", "102", "103"].map(ringingAt)).toEqual([1, 1, 1]);
    world.pbx.answerPhone("102");
    expect(["101", "102", "103"].map(ringingAt)).toEqual([0, 0, 0]);
    world.pbx.hangupPhone("102");
    await world.flush();
    expect(results[0]).toMatchObject({ status: "answered", answeredBy: { extension: "102" } });
    expect(world.onlyFinalCdr()).toMatchObject({ requested: { extensions: ["101", "102", "103"] }, answered_by: { extension: "102" } });
  });

  it("simultaneous: nobody answering gives no_answer after the group timeout", async () => {
    const results = dialOnce(group("simultaneous"));
    world.pbx.placeInboundCall({ from: CUSTOMER, to: DID });
    await world.advance(10_000);
    expect(results).toEqual([{ status: "no_answer" }]);
    expect(["101", "102", "103"].map(ringingAt)).toEqual([0, 0, 0]);
  });

  it("sequential: one at a time, a busy phone is skipped at once", async () => {
    const results = dialOnce(group("sequential"));
    world.pbx.setPhoneBehavior("102", { behavior: "busy" });
    world.pbx.placeInboundCall({ from: CUSTOMER, to: DID });
    await world.advance(9999);
    expect(["101", "102", "103"].map(ringingAt)).toEqual([1, 0, 0]);
    await world.advance(1);
    expect(["101", "102", "103"].map(ringingAt)).toEqual([0, 0, 1]);
    world.pbx.answerPhone("103");
    world.pbx.hangupPhone("103");
    await world.flush();
    expect(results[0]).toMatchObject({ status: "answered", answeredBy: { extension: "103" } });
    expect(world.onlyFinalCdr().ring_time_s).toBe(10);
  });

  it("sequential: all unanswered gives no_answer after every member rang", async () => {
    const results = dialOnce(group("sequential"));
    world.pbx.placeInboundCall({ from: CUSTOMER, to: DID });
    await world.advance(29_999);
    expect(results).toEqual([]);
    await world.advance(1);
    expect(results).toEqual([{ status: "no_answer" }]);
  });
});
