import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { CallChannel } from "@/flows/runtime/ports";
import type { EndpointBehavior } from "@/server/telephony/engine";
import { PbxError } from "./errors";
import { createWorld, CUSTOMER, DID, type World } from "./testing/world";

const EXTENSIONS = ["101", "102", "103", "104"];
const EXTERNAL = "+36209876543";

type Step =
  | { op: "play" }
  | { op: "collect" }
  | { op: "dial"; extension: string }
  | { op: "group"; strategy: "simultaneous" | "sequential" }
  | { op: "external" }
  | { op: "queue" }
  | { op: "voicemail" }
  | { op: "hangup" };

type Action =
  | { kind: "call"; from: string; to: string }
  | { kind: "answer" | "reject" | "hangupPhone"; extension: string }
  | { kind: "transfer"; extension: string; to: string; mode: "blind" | "attended" }
  | { kind: "pickup"; extension: string }
  | { kind: "dtmf" | "hangupCall"; pick: number; digits: string }
  | { kind: "agent"; agent: string; move: "login" | "logout" | "pause" | "resume" }
  | { kind: "behavior"; extension: string; behavior: EndpointBehavior }
  | { kind: "forward"; extension: string; rule: "unconditional" | "busy" | "no_answer"; to: string; enabled: boolean };

const extension = fc.constantFrom(...EXTENSIONS);
const behavior: fc.Arbitrary<EndpointBehavior> = fc.oneof(
  fc.record({ behavior: fc.constant("answer" as const), answer_after_s: fc.integer({ min: 0, max: 12 }), hangup_after_s: fc.option(fc.integer({ min: 1, max: 40 }), { nil: undefined }) }),
  fc.constantFrom<EndpointBehavior>({ behavior: "busy" }, { behavior: "no_answer" }, { behavior: "dnd" }, { behavior: "offline" }),
);
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.constantFrom<Step>({ op: "play" }, { op: "collect" }, { op: "external" }, { op: "queue" }, { op: "voicemail" }, { op: "hangup" }),
  extension.map((extension): Step => ({ op: "dial", extension })),
  fc.constantFrom("simultaneous" as const, "sequential" as const).map((strategy): Step => ({ op: "group", strategy })),
);
const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("call" as const), from: fc.constantFrom(CUSTOMER, "+36701112222", ...EXTENSIONS), to: fc.constantFrom(DID, DID, "+3619999999", ...EXTENSIONS, EXTERNAL) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constantFrom("answer" as const, "reject" as const, "hangupPhone" as const), extension }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("transfer" as const), extension, to: fc.constantFrom(...EXTENSIONS, EXTERNAL), mode: fc.constantFrom("blind" as const, "attended" as const) }) },
  fc.record({ kind: fc.constant("pickup" as const), extension }),
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom("dtmf" as const, "hangupCall" as const), pick: fc.nat(), digits: fc.constantFrom("1", "2#", "#", "123") }) },
  fc.record({ kind: fc.constant("agent" as const), agent: fc.constantFrom("a1", "a2"), move: fc.constantFrom("login" as const, "logout" as const, "pause" as const, "resume" as const) }),
  fc.record({ kind: fc.constant("behavior" as const), extension, behavior }),
  fc.record({ kind: fc.constant("forward" as const), extension, rule: fc.constantFrom("unconditional" as const, "busy" as const, "no_answer" as const), to: fc.constantFrom(...EXTENSIONS, EXTERNAL), enabled: fc.boolean() }),
);

async function runStep(channel: CallChannel, current: Step): Promise<{ status: string }> {
  const prompt = { text: "Thank you for calling", language: "en" };
  switch (current.op) {
    case "play":
      return channel.play(prompt);
    case "collect":
      return channel.collectDigits({ prompt, minLength: 1, maxLength: 3, terminator: "#", timeoutMs: 4000 });
    case "dial":
      return channel.dial({ targets: [{ type: "extension", number: current.extension }], strategy: "simultaneous", ringTimeoutMs: 15_000, followForwarding: true });
    case "group":
      return channel.dial({ targets: EXTENSIONS.slice(0, 3).map((number) => ({ type: "extension" as const, number })), strategy: current.strategy, ringTimeoutMs: 8000, followForwarding: false });
    case "external":
      return channel.dial({ targets: [{ type: "external", number: EXTERNAL }], strategy: "simultaneous", ringTimeoutMs: 10_000, followForwarding: false });
    case "queue":
      return channel.enqueue({ queueId: "q", maxWaitMs: 20_000, holdPrompt: prompt });
    case "voicemail":
      return channel.voicemail({ mailboxExtension: "104", greeting: prompt, maxLengthMs: 15_000 });
    case "hangup":
      channel.hangup("flow_hangup");
      return { status: "hangup" };
  }
}

function perform(world: World, current: Action): void {
  const { pbx } = world;
  const activeCall = (pick: number) => {
    const calls = pbx.listActiveCalls();
    return calls.length ? calls[pick % calls.length].call_id : null;
  };
  switch (current.kind) {
    case "call":
      return void pbx.placeInboundCall({ from: current.from, to: current.to });
    case "answer":
      return pbx.answerPhone(current.extension);
    case "reject":
      return pbx.rejectPhone(current.extension);
    case "hangupPhone":
      return pbx.hangupPhone(current.extension);
    case "transfer":
      return pbx.transfer(current.extension, { to: current.to, mode: current.mode });
    case "pickup":
      return pbx.pickup(current.extension);
    case "dtmf":
    case "hangupCall": {
      const callId = activeCall(current.pick);
      if (!callId) return;
      return current.kind === "dtmf" ? pbx.sendDtmf(callId, current.digits) : pbx.hangupCall(callId);
    }
    case "agent": {
      const moves = { login: pbx.agentLogin, logout: pbx.agentLogout, pause: (id: string) => pbx.agentPause(id, "break"), resume: pbx.agentResume };
      return moves[current.move].call(pbx, current.agent);
    }
    case "behavior":
      return pbx.setPhoneBehavior(current.extension, current.behavior);
    case "forward":
      world.directory.setForwarding(current.extension, {
        [current.rule]: { enabled: current.enabled, ring_timeout_s: 6, destination: { type: current.to === EXTERNAL ? "external" : "extension", number: current.to } },
      });
  }
}

describe("every call ends with exactly one final CDR", () => {
  it("whatever phones, callers, agents and flows do", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 1, maxLength: 5 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 8000 }), action), { minLength: 5, maxLength: 40 }),
        async (program, actions) => {
          const world = createWorld({
            phoneBehavior: { behavior: "answer", answer_after_s: 2 },
            externalBehavior: { behavior: "answer", answer_after_s: 3, hangup_after_s: 20 },
            flow: async (channel) => {
              for (const current of program) if ((await runStep(channel, current)).status === "hangup") return;
            },
          });
          try {
            world.directory.addAgent({ agentId: "a1", userId: "user-101", name: "A1", extension: "101" });
            world.directory.addAgent({ agentId: "a2", userId: "user-102", name: "A2", extension: "102" });
            world.directory.addQueue({ id: "q", strategy: "ring_all", maxWaitS: 20, wrapUpS: 3, agentRingTimeoutS: 5, members: [{ agentId: "a1", extension: "101" }, { agentId: "a2", extension: "102" }] });
            world.directory.addExtension({ number: "104", userId: "user-104", userName: "Recorded", recordCalls: true });
            for (const [delayMs, current] of actions) {
              await world.advance(delayMs);
              try {
                perform(world, current);
              } catch (error) {
                if (!(error instanceof PbxError)) throw error;
              }
            }
            await world.advance(120_000);
            world.pbx.shutdown();
            await world.flush();
            expectOneFinalCdrPerCall(world);
          } finally {
            world.cleanup();
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

function expectOneFinalCdrPerCall(world: World): void {
  const started = world.eventsOf("call.started").map((event) => event.call.call_id);
  const finals = world.finalCdrs();
  expect(finals.map((cdr) => cdr.call_id).sort()).toEqual([...started].sort());
  expect(world.pbx.listActiveCalls()).toEqual([]);
  for (const extension of EXTENSIONS) expect(world.pbx.callsOfExtension(extension)).toEqual([]);
  const partials = world.partialCdrs();
  for (const final of finals) {
    const own = partials.filter((cdr) => cdr.call_id === final.call_id);
    expect(final.legs).toEqual(own);
    expect([...own.map((cdr) => cdr.sequence), final.sequence]).toEqual(own.map((_, index) => index + 1).concat(own.length + 1));
    expect(final.duration_s).toBeGreaterThanOrEqual(0);
    expect(final.talk_time_s).toBeLessThanOrEqual(final.duration_s + 1e-9);
  }
  expect(world.logger.entries.filter((entry) => entry.level === "error" || entry.level === "warn")).toEqual([]);
}
