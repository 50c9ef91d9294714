import { describe, expect, it } from "vitest";
import type { ReferenceLookup } from "@/flows/runtime/ports";
import { type ValidationIssue, validateFlow } from "@/flows/validation/validateFlow";

type Node = { id: string; type: string; config?: Record<string, unknown> };

function doc(nodes: Node[], edges: string[]) {
  return {
    schema_version: 1,
    name: "test",
    nodes: nodes.map((node, index) => ({ config: {}, ...node, position: { x: index, y: 0 } })),
    edges: edges.map((edge, index) => {
      const [from, target] = edge.split("->");
      const [source, source_port] = from.split(":");
      return { id: `e${index}`, source, source_port, target };
    }),
  };
}

const codes = (issues: ValidationIssue[]) => issues.map((issue) => `${issue.code}${issue.node_id ? `@${issue.node_id}` : ""}`).sort();

const refs: ReferenceLookup = {
  extensionExists: (extension) => ["101", "102"].includes(extension),
  queueExists: (queue) => queue === "support",
  outboundApiExists: (id, kind) => id === "crm" && (kind === undefined || kind === "data_lookup"),
  flowExists: (id) => ["main", "after-hours", "night"].includes(id),
  gotoTargetsOf: (id) => ({ "after-hours": ["night"], night: ["main"] })[id] ?? [],
};

describe("validateFlow", () => {
  it("accepts a sound flow", () => {
    const result = validateFlow(
      doc(
        [
          { id: "start", type: "start" },
          { id: "lookup", type: "data_lookup", config: { outbound_api_id: "crm" } },
          { id: "owner", type: "dial_extension", config: { extension: "{{ lookup.extension }}" } },
          { id: "queue", type: "queue", config: { queue_id: "support" } },
        ],
        ["start:next->lookup", "lookup:found->owner", "lookup:not_found->queue", "lookup:error->queue", "owner:no_answer->queue"],
      ),
      refs,
      { flowId: "main" },
    );
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
    // busy/failed of the dial and timeout/no_agents of the queue; an unconnected "answered" is the usual end of a call.
    expect(codes(result.warnings)).toEqual(
      ["port_unconnected_optional@owner", "port_unconnected_optional@owner", "port_unconnected_optional@queue", "port_unconnected_optional@queue"].sort(),
    );
    expect(result.warnings.map((warning) => warning.path)).not.toContain("nodes.2.ports.answered");
  });

  it("reports schema errors in the API's shape, and still checks the graph", () => {
    const result = validateFlow(doc([{ id: "start", type: "start" }, { id: "m", type: "menu", config: { prompt: "", options: ["1"] } }], []));
    expect(result.valid).toBe(false);
    expect(result.errors).toContainEqual(
      expect.objectContaining({ code: "schema_invalid", node_id: "m", path: "nodes.1.config.prompt", message: expect.any(String) }),
    );
    expect(codes(result.errors)).toContain("port_unconnected@start");
    expect(codes(result.warnings)).toContain("node_unreachable@m");
  });

  it("requires exactly one start and unique ids", () => {
    expect(codes(validateFlow(doc([{ id: "h", type: "hangup" }], [])).errors)).toEqual(["start_missing"]);
    const twice = validateFlow(doc([{ id: "s", type: "start" }, { id: "s", type: "start" }, { id: "h", type: "hangup" }], ["s:next->h"]));
    expect(codes(twice.errors)).toEqual(["node_id_duplicate@s", "start_multiple@s"]);
  });

  it("checks edges: missing nodes, unknown ports, duplicates and fan-out", () => {
    const result = validateFlow(
      doc(
        [
          { id: "start", type: "start" },
          { id: "a", type: "hangup" },
          { id: "b", type: "hangup" },
        ],
        ["start:next->a", "start:next->a", "start:next->b", "start:other->a", "ghost:next->a", "start:next->nowhere"],
      ),
    );
    expect(codes(result.errors)).toEqual([
      "edge_duplicate@start",
      "edge_port_unknown@start",
      "edge_source_missing",
      "edge_target_missing@start",
      "port_multiple_edges@start",
    ]);
    expect(codes(result.warnings)).toEqual(["node_unreachable@b"]);
  });

  it("errors on unconnected required ports, warns on optional ones", () => {
    const result = validateFlow(
      doc(
        [
          { id: "start", type: "start" },
          { id: "menu", type: "menu", config: { prompt: "Press", options: ["1", "2"] } },
          { id: "bye", type: "hangup" },
        ],
        ["start:next->menu", "menu:1->bye"],
      ),
    );
    expect(codes(result.errors)).toEqual(["port_unconnected@menu"]);
    expect(result.errors[0].path).toBe("nodes.1.ports.2");
    expect(codes(result.warnings)).toEqual(["port_unconnected_optional@menu", "port_unconnected_optional@menu"]);
  });

  it("checks references, with the outbound API's kind", () => {
    const result = validateFlow(
      doc(
        [
          { id: "start", type: "start" },
          { id: "n", type: "notify", config: { outbound_api_id: "crm" } },
          { id: "l", type: "data_lookup", config: { outbound_api_id: "gone" } },
          { id: "r", type: "ring_group", config: { extensions: ["101", "999"] } },
          { id: "q", type: "queue", config: { queue_id: "sales" } },
          { id: "g", type: "goto_flow", config: { flow_id: "nope" } },
        ],
        ["start:next->n", "n:next->l", "l:found->r", "l:not_found->q", "l:error->g", "r:no_answer->q"],
      ),
      refs,
    );
    expect(codes(result.errors)).toEqual(["extension_missing@r", "flow_missing@g", "outbound_api_missing@l", "outbound_api_wrong_kind@n", "queue_missing@q"]);
    expect(result.errors.find((issue) => issue.code === "extension_missing")?.path).toBe("nodes.3.config.extensions.1");
    expect(result.errors.find((issue) => issue.code === "outbound_api_wrong_kind")?.messageHu).toMatch(/crm/);
  });

  it("finds goto_flow cycles, direct and through other flows", () => {
    const toSelf = doc([{ id: "start", type: "start" }, { id: "g", type: "goto_flow", config: { flow_id: "main" } }], ["start:next->g"]);
    expect(codes(validateFlow(toSelf, refs, { flowId: "main" }).errors)).toEqual(["goto_cycle@g"]);
    const around = doc([{ id: "start", type: "start" }, { id: "g", type: "goto_flow", config: { flow_id: "after-hours" } }], ["start:next->g"]);
    const result = validateFlow(around, refs, { flowId: "main" });
    expect(codes(result.errors)).toEqual(["goto_cycle@g"]);
    expect(result.errors[0].message).toContain("main → after-hours → night → main");
    expect(validateFlow(around, refs, { flowId: "other" }).valid).toBe(true);
  });

  it("rejects loops in which nothing waits for the caller", () => {
    const busyLoop = doc(
      [
        { id: "start", type: "start" },
        { id: "set", type: "set_variables", config: { assignments: [{ name: "n", value: "{{ n | plus: 1 }}" }] } },
        { id: "check", type: "condition", config: { rules: [{ id: "again", when: "n < 5" }] } },
      ],
      ["start:next->set", "set:next->check", "check:again->set"],
    );
    expect(codes(validateFlow(busyLoop).errors)).toEqual(["loop_without_wait@set"]);
    const menuLoop = doc(
      [
        { id: "start", type: "start" },
        { id: "menu", type: "menu", config: { prompt: "Press 1", options: ["1"] } },
        { id: "set", type: "set_variables", config: { assignments: [{ name: "n", value: 1 }] } },
      ],
      ["start:next->menu", "menu:1->set", "menu:timeout->menu", "set:next->menu"],
    );
    expect(validateFlow(menuLoop).errors).toEqual([]);
  });

  it("checks templates, conditions and the variables they read", () => {
    const result = validateFlow(
      doc(
        [
          { id: "start", type: "start" },
          { id: "ask", type: "collect_digits", config: { variable: "pin" } },
          { id: "say", type: "play", config: { text: "{{ pin }} {{ call.caller.nmber }} {{ lookup.contact.name }} {{ ghost }}" } },
          { id: "bad", type: "play", config: { text: "{{ pin " } },
          { id: "cond", type: "condition", config: { rules: [{ id: "r", when: "pin ==" }] } },
        ],
        ["start:next->ask", "ask:next->say", "say:next->bad", "bad:next->cond", "cond:r->say"],
      ),
    );
    expect(codes(result.errors)).toEqual(["expression_invalid@cond", "template_invalid@bad"]);
    expect(result.errors.find((issue) => issue.code === "template_invalid")?.path).toBe("nodes.3.config.text");
    expect(result.warnings.filter((issue) => issue.node_id === "say").map((issue) => `${issue.code}:${issue.message}`)).toEqual([
      "variable_unknown:call.caller.nmber is not set before this node",
      "lookup_without_data_lookup:lookup.contact.name is empty here: no CRM look-up runs before this node",
      "variable_unknown:ghost is not set before this node",
    ]);
  });

  it("refuses input that is not a flow document at all", () => {
    expect(validateFlow(null)).toEqual({ valid: false, errors: [expect.objectContaining({ code: "schema_invalid", path: "" })], warnings: [] });
  });
});
