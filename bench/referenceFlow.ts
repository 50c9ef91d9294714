/**
 * The benchmarks' reference flow: 10 nodes — greeting, menu, CRM look-up,
 * a condition, dial the owner the CRM names (or a fallback), hang up.
 */
export function referenceFlow(lookupApiId: string, notifyApiId: string) {
  const node = (id: string, type: string, config: Record<string, unknown>, x: number) => ({ id, type, position: { x, y: 0 }, config });
  return {
    schema_version: 1,
    name: "Benchmark reference",
    nodes: [
      node("start", "start", {}, 0),
      node("vars", "set_variables", { assignments: [{ name: "source", value: "bench" }] }, 1),
      node("welcome", "play", { text: "Hello" }, 2),
      node("menu", "menu", { prompt: "Press 1", options: ["1", "2"], timeout_s: 5, max_retries: 1 }, 3),
      node("notify", "notify", { outbound_api_id: notifyApiId }, 4),
      node("lookup", "data_lookup", { outbound_api_id: lookupApiId }, 5),
      node("known", "condition", { rules: [{ id: "owner", when: "lookup.extension != blank" }] }, 6),
      node("owner", "dial_extension", { extension: "{{ lookup.extension }}", ring_timeout_s: 20 }, 7),
      node("fallback", "dial_extension", { extension: "101", ring_timeout_s: 20 }, 8),
      node("bye", "hangup", {}, 9),
    ],
    edges: [
      ["start", "next", "vars"],
      ["vars", "next", "welcome"],
      ["welcome", "next", "menu"],
      ["menu", "1", "notify"],
      ["menu", "2", "fallback"],
      ["menu", "timeout", "fallback"],
      ["menu", "invalid", "bye"],
      ["notify", "next", "lookup"],
      ["lookup", "found", "known"],
      ["lookup", "not_found", "fallback"],
      ["lookup", "error", "fallback"],
      ["known", "owner", "owner"],
      ["known", "else", "fallback"],
      ["owner", "no_answer", "fallback"],
      ["owner", "busy", "fallback"],
      ["owner", "failed", "fallback"],
      ["fallback", "no_answer", "bye"],
      ["fallback", "busy", "bye"],
      ["fallback", "failed", "bye"],
    ].map(([source, port, target], i) => ({ id: `e${i}`, source, source_port: port, target })),
  };
}
