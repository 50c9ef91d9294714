/**
 * fast-check generator of flow documents built from every node type, wired at
 * random (required ports always connected). Filter with validateFlow to keep
 * the valid ones. Used by the interpreter's and the full stack's property tests.
 */
import fc from "fast-check";
import type { NodeType } from "@/flows/model/types";
import { looseDefinition } from "@/flows/nodes/definitions";

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
export const flowArbitrary = fc
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
