/** Checks what nodes point at outside the flow (extensions, queues, outbound APIs, flows, audio prompts) and goto_flow cycles. */
import type { ReferenceLookup } from "@/flows/runtime/ports";
import type { IssueCollector } from "@/flows/validation/issues";
import type { FlowView } from "@/flows/validation/flowView";

const API_KIND_NAMES = { data_lookup: "data look-up", incoming_notification: "incoming-call notification", end_of_call: "end-of-call" } as const;

export function checkReferences(view: FlowView, refs: ReferenceLookup | undefined, flowId: string | undefined, issues: IssueCollector): void {
  for (const node of view.nodes) {
    if (node.config === undefined) continue;
    for (const reference of node.definition.references(node.config)) {
      const where = { path: `nodes.${node.index}.${reference.path}`, node_id: node.id };
      const params = { id: reference.id };
      if (reference.kind === "flow" && flowId !== undefined) {
        const cycle = gotoCycle(reference.id, flowId, refs);
        if (cycle) issues.error("goto_cycle", where, { id: reference.id, path: cycle.join(" → ") });
      }
      if (!refs) continue;
      switch (reference.kind) {
        case "extension":
          if (!refs.extensionExists(reference.id)) issues.error("extension_missing", where, params);
          break;
        case "queue":
          if (!refs.queueExists(reference.id)) issues.error("queue_missing", where, params);
          break;
        case "flow":
          if (!refs.flowExists(reference.id)) issues.error("flow_missing", where, params);
          break;
        case "audio_prompt":
          if (refs.audioPromptExists && !refs.audioPromptExists(reference.id)) issues.error("audio_prompt_missing", where, params);
          break;
        case "outbound_api":
          if (refs.outboundApiExists(reference.id, reference.apiKind)) break;
          if (reference.apiKind && refs.outboundApiExists(reference.id)) {
            issues.error("outbound_api_wrong_kind", where, { id: reference.id, kind: API_KIND_NAMES[reference.apiKind] });
          } else issues.error("outbound_api_missing", where, params);
      }
    }
  }
}

/** The chain of flows from this flow back to itself through `target`, if goto_flow nodes form one. */
function gotoCycle(target: string, flowId: string, refs: ReferenceLookup | undefined): string[] | null {
  if (target === flowId) return [flowId, flowId];
  if (!refs?.gotoTargetsOf) return null;
  const seen = new Set<string>([target]);
  const queue: string[][] = [[flowId, target]];
  while (queue.length > 0) {
    const chain = queue.shift() as string[];
    for (const next of refs.gotoTargetsOf(chain[chain.length - 1])) {
      if (next === flowId) return [...chain, flowId];
      if (!seen.has(next)) {
        seen.add(next);
        queue.push([...chain, next]);
      }
    }
  }
  return null;
}
