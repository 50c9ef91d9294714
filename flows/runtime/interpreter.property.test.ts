/**
 * Property: any flow that passes validation, driven by any caller behaviour
 * and CRM answers, ends with a defined outcome within the step guard, never
 * throws, and leaves the call in a consistent state.
 */
import fc from "fast-check";
import { expect, it } from "vitest";
import { DEFAULT_LIMITS, type TraceStep } from "@/flows/runtime/context";
import { runFlow } from "@/flows/runtime/interpreter";
import type { DialStatus } from "@/flows/runtime/ports";
import type { ScriptedLookup } from "@/flows/runtime/testing/inMemoryIntegration";
import { ScriptedCallChannel } from "@/flows/runtime/testing/scriptedCallChannel";
import { createTestRuntime, flowDocument, testCall } from "@/flows/runtime/testing/testRuntime";
import { validateFlow } from "@/flows/validation/validateFlow";
import { flowArbitrary } from "@/flows/runtime/testing/flowArbitrary";

const lookupArbitrary: fc.Arbitrary<ScriptedLookup> = fc.constantFrom<ScriptedLookup>(
  { status: "found", extension: "102", contact: { name: "Anna" }, variables: { counter: 5 } },
  { status: "found" },
  { status: "not_found" },
  { status: "error", error: "HTTP 500" },
  "throw",
);

const callerArbitrary = fc.record({
  digits: fc.array(fc.option(fc.stringMatching(/^[0-9*#]{1,4}$/)), { maxLength: 30 }),
  dial: fc.array(fc.constantFrom<DialStatus>("answered", "no_answer", "busy", "failed"), { minLength: 1, maxLength: 10 }),
  queue: fc.array(fc.constantFrom("answered" as const, "timeout" as const, "no_agents" as const), { minLength: 1, maxLength: 10 }),
  voicemail: fc.constantFrom("recorded" as const, "empty" as const),
  hangUpAtOperation: fc.option(fc.integer({ min: 1, max: 40 }), { nil: undefined }),
  lookups: fc.array(lookupArbitrary, { minLength: 1, maxLength: 5 }),
  startsAt: fc.integer({ min: Date.parse("2026-01-01T00:00:00Z"), max: Date.parse("2026-12-31T23:59:59Z") }),
});

const otherFlow = {
  schema_version: 1,
  name: "other",
  nodes: [
    { id: "start", type: "start", position: { x: 0, y: 0 }, config: {} },
    { id: "bye", type: "play", position: { x: 100, y: 0 }, config: { text: "Goodbye" } },
  ],
  edges: [{ id: "e1", source: "start", source_port: "next", target: "bye" }],
};

it("valid flows always terminate with a defined outcome, whatever the caller does", async () => {
  await fc.assert(
    fc.asyncProperty(flowArbitrary, callerArbitrary, async (json, caller) => {
      fc.pre(validateFlow(json).valid);
      const runtime = createTestRuntime({ start: caller.startsAt, integration: { lookups: { crm: caller.lookups } } });
      runtime.flows.published.set("other", otherFlow);
      const channel = new ScriptedCallChannel({ ...caller, clock: runtime.clock });
      const result = await runFlow(runtime.ctx, channel, flowDocument(json), testCall());

      expect(["completed", "hangup", "failed"]).toContain(result.outcome);
      expect(result.trace.length).toBeLessThanOrEqual(DEFAULT_LIMITS.maxSteps);
      expect(runtime.liveSteps).toEqual(result.trace);
      expect(result.lastNodeId).toBe(result.trace.at(-1)?.node_id ?? null);
      if (result.outcome === "hangup") expect(channel.hangups).toEqual([]);
      else expect(channel.hangups).toHaveLength(1);
      if (result.outcome === "failed") {
        expect(channel.hangups).toEqual(["flow_error"]);
        expect(["loop_limit", "step_limit", "template_error"]).toContain(result.reason);
      }
      expect(result.trace.every((step: TraceStep) => step.duration_ms >= 0)).toBe(true);
    }),
    { numRuns: 300 },
  );
});
