/**
 * A document indexed for running: start node and port → target lookups
 * without scanning edges at every step. Cached per document object, so a
 * published revision is indexed once however many calls run it.
 */
import type { FlowDocument, FlowNode } from "@/flows/model/types";

export interface CompiledFlow {
  readonly document: FlowDocument;
  readonly start: FlowNode | undefined;
  /** Position of each node in `document.nodes`, for per-run counters kept in arrays. */
  readonly indexOf: ReadonlyMap<string, number>;
  target(nodeId: string, port: string): FlowNode | undefined;
}

const compiled = new WeakMap<FlowDocument, CompiledFlow>();

export function compileFlow(document: FlowDocument): CompiledFlow {
  let flow = compiled.get(document);
  if (!flow) {
    flow = buildIndex(document);
    compiled.set(document, flow);
  }
  return flow;
}

function buildIndex(document: FlowDocument): CompiledFlow {
  const byId = new Map<string, FlowNode>();
  const indexOf = new Map<string, number>();
  document.nodes.forEach((node, index) => {
    byId.set(node.id, node);
    indexOf.set(node.id, index);
  });
  const ports = new Map<string, Map<string, FlowNode>>();
  for (const edge of document.edges) {
    const target = byId.get(edge.target);
    if (!target || !byId.has(edge.source)) continue;
    let outgoing = ports.get(edge.source);
    if (!outgoing) ports.set(edge.source, (outgoing = new Map()));
    // Validation rejects two edges from one port; if one slips through, the first wins.
    if (!outgoing.has(edge.source_port)) outgoing.set(edge.source_port, target);
  }
  return {
    document,
    start: document.nodes.find((node) => node.type === "start"),
    indexOf,
    target: (nodeId, port) => ports.get(nodeId)?.get(port),
  };
}
