/**
 * Property: a flow that passes validation, run by the real interpreter on the
 * real call control and simulated engine, with random phones, callers, CRM
 * replies and times, always ends every call with exactly one final CDR.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { expect, it } from "vitest";
import { ManualClock } from "@/flows/runtime/testing/manualClock";
import { InMemoryIntegration, type ScriptedLookup } from "@/flows/runtime/testing/inMemoryIntegration";
import { flowArbitrary } from "@/flows/runtime/testing/flowArbitrary";
import { flowDocument } from "@/flows/runtime/testing/testRuntime";
import { validateFlow } from "@/flows/validation/validateFlow";
import { Pbx } from "../pbx/pbx";
import { InMemoryDirectory } from "../pbx/directory";
import type { Cdr } from "../pbx/cdr";
import { SimulatedEngine } from "../telephony/simulated/simulatedEngine";
import { LiveCalls } from "./liveCalls";
import { runFlowWithLiveState } from "./flowRunner";

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const behaviorArbitrary = fc.record({
  behavior: fc.constantFrom("answer" as const, "busy" as const, "no_answer" as const, "dnd" as const, "offline" as const),
  answer_after_s: fc.integer({ min: 0, max: 20 }),
  hangup_after_s: fc.integer({ min: 1, max: 60 }),
});
const lookupArbitrary = fc.constantFrom<ScriptedLookup>({ status: "found", extension: "102" }, { status: "not_found" }, { status: "error", error: "500" }, "timeout");

const worldArbitrary = fc.record({
  phones: fc.record({ "100": behaviorArbitrary, "101": behaviorArbitrary, "102": behaviorArbitrary }),
  /** The outside number forward_external dials. */
  external: behaviorArbitrary,
  agentLoggedIn: fc.boolean(),
  keys: fc.array(fc.record({ atS: fc.integer({ min: 0, max: 120 }), digits: fc.stringMatching(/^[0-9*#]{1,3}$/) }), { maxLength: 6 }),
  callerHangsUpAtS: fc.option(fc.integer({ min: 1, max: 600 }), { nil: undefined }),
  lookup: lookupArbitrary,
  startsAt: fc.integer({ min: Date.parse("2026-01-01T00:00:00Z"), max: Date.parse("2026-12-31T23:59:59Z") }),
});

it("every call through a valid flow ends with exactly one final CDR", async () => {
  const recordingsDir = fs.mkdtempSync(path.join(os.tmpdir(), "fullstack-"));
  try {
    await fc.assert(
      fc.asyncProperty(flowArbitrary, worldArbitrary, async (json, world) => {
        fc.pre(validateFlow(json).valid);
        const document = flowDocument(json);
        const clock = new ManualClock(world.startsAt);
        const engine = new SimulatedEngine({ clock, recordingsDir });
        for (const [extension, behavior] of Object.entries(world.phones)) engine.setPhoneBehavior(extension, behavior);
        // Everyone who answers hangs up at some point; a call nobody ever ends would rightly last forever.
        engine.setExternalBehavior("+3612345678", world.external);
        const directory = new InMemoryDirectory();
        for (const number of ["100", "101", "102"]) directory.addExtension({ number, userId: null, userName: null });
        directory.addAgent({ agentId: "agt_102", userId: null, name: "Agent", extension: "102" });
        directory.addQueue({ id: "support", strategy: "ring_all", maxWaitS: 30, wrapUpS: 5, members: [{ agentId: "agt_102", extension: "102" }] });
        directory.addNumber("+3612345678", "generated");
        const finals = new Map<string, Cdr[]>();
        const integration = new InMemoryIntegration({ clock, lookups: { crm: world.lookup } });
        const pbx = new Pbx({
          clock,
          engine,
          simulator: engine,
          directory,
          logger: silent,
          sink: (event) => {
            if (event.type === "conversation.ended") finals.set(event.cdr.call_id, [...(finals.get(event.cdr.call_id) ?? []), event.cdr]);
          },
          startFlow: (channel, call, variables) =>
            runFlowWithLiveState(
              { clock, integration, flows: { loadPublished: async () => null }, logger: silent, live: new LiveCalls(0) },
              channel,
              call,
              { document, flowId: "generated", revision: null },
              variables,
            ),
        });
        if (world.agentLoggedIn) pbx.agentLogin("agt_102");
        const { callId } = pbx.placeInboundCall({ from: "+36301112233", to: "+3612345678" });
        for (const key of world.keys) clock.setTimeout(() => pbx.getCall(callId)?.ended_at === null && pbx.sendDtmf(callId, key.digits), key.atS * 1000);
        if (world.callerHangsUpAtS) clock.setTimeout(() => pbx.getCall(callId)?.ended_at === null && pbx.hangupCall(callId), world.callerHangsUpAtS * 1000);
        // Long enough for every guard and timeout in the generated flows (queues 30 s, rings, menus, voicemail).
        for (let s = 0; s < 4 * 3600 && !finals.has(callId); s += 10) await clock.advanceAsync(10_000);
        await clock.advanceAsync(60_000);

        expect(finals.get(callId)).toHaveLength(1);
        expect(finals.get(callId)![0].is_final).toBe(true);
        expect(pbx.listActiveCalls()).toEqual([]);
        pbx.shutdown();
      }),
      { numRuns: 150 },
    );
  } finally {
    fs.rmSync(recordingsDir, { recursive: true, force: true });
  }
});
