/**
 * Property: any flow that passes validation, driven by any caller behaviour
 * and CRM answers, ends with a defined outcome within the step guard, never
 * throws, and leaves the call in a consistent state.
 */
import fc from "fast-check";
import { expect, it } from "vitest";
import type { NodeType } from "@/flows/model/types";
import { looseDefinition } from "@/flows/nodes/definitions";
import { DEFAULT_LIMITS, type TraceStep } from "@/flows/runtime/context";
import { runFlow } from "@/flows/runtime/interpreter";
import type { DialStatus } from "@/flows/runtime/ports";
import type { ScriptedLookup } from "@/flows/runtime/testing/inMemoryIntegration";
import { ScriptedCallChannel } from "@/flows/runtime/testing/scriptedCallChannel";
import { createTestRuntime, flowDocument, testCall } from "@/flows/runtime/testing/testRuntime";
import { validateFlow } from "@/flows/validation/validateFlow";

const configs: Partial<Record<NodeType, fc.Arbitrary<Record<string, unknown>>>> = {
  play: fc.constant({ text: "Hello {{ call.caller.number }}" }),
  menu: fc.subarray(["1", "2", "3", "*"], { minLength: 1 }).map((options) => ({ prompt: "Choose", options, timeout_s: 2, max_retries: 1 })),
  collect_digits: fc.constant({ variable: "digits", min_length: 1, max_length: 4 }),
  time_condition: fc.constant({ schedule: [{ days: ["mon", "tue", "wed", "thu", "fri"], from: "08:00", to: "17:00" }], use_public_holidays: true }),
  data_lookup: fc.constant({ outbound_api_id: "crm" }),
  notify: fc.constant({ outbound_api_id: "popup" }),
  send_call_data: fc.constant({ outbound_api_id: "cdr" }),
  dial_extension: fc.constantFrom({ extension: "101" }, { extension: "{{ lookup.extension }}" }),
  ring_group: fc.constant({ extensions: ["101", "102"], strategy: "sequential" }),
  queue: fc.constant({ queue_id: "support", max_wait_s: 30 }),
  forward_external: fc.constant({ number: "+3612345678" }),
  voicemail: fc.constant({ mailbox_extension: "100" }),
  set_variables: fc.constant({ assignments: [{ name: "counter", value: "{{ counter | default: 0 | plus: 1 }}" }] }),
  condition: fc.constant({ rules: [{ id: "one", when: "digits == 1" }, { id: "regular", when: "lookup.found and counter > 2" }] }),
  goto_flow: fc.constant({ flow_id: "other" }),
  hangup: fc.constant({}),
};
const types = Object.keys(configs) as NodeType[];

const nodeArbitrary = fc.constantFrom(...types).chain((type) => (configs[type] as fc.Arbitrary<Record<string, unknown>>).map((config) => ({ type, config })));

/** Nodes plus a stream of wiring choices: -1 leaves an optional port open, n connects it to node n (mod count). */
const flowArbitrary = fc
  .record({ nodes: fc.array(nodeArbitrary, { minLength: 1, maxLength: 9 }), wiring: fc.array(fc.integer({ min: -1, max: 50 }), { minLength: 60, maxLength: 60 }) })
  .map(({ nodes, wiring }) => {
    const all = [{ id: "start", type: "start" as NodeType, config: {} }, ...nodes.map((node, index) => ({ id: `n${index}`, ...node }))];
    const edges: { id: string; source: string; source_port: string; target: string }[] = [];
    let choice = 0;
    for (const node of all) {
      const definition = looseDefinition(node.type);
      for (const port of definition.ports(definition.configSchema.parse(node.config))) {
        const pick = wiring[choice++ % wiring.length];
        if (pick < 0 && !port.required) continue;
        const target = all[1 + (Math.abs(pick) % (all.length - 1))];
        edges.push({ id: `e${edges.length}`, source: node.id, source_port: port.id, target: target.id });
      }
    }
    return {
      schema_version: 1,
      name: "generated",
      nodes: all.map((node, index) => ({ ...node, position: { x: index * 100, y: 0 } })),
      edges,
    };
  });

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
