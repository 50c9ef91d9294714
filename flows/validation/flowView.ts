/**
 * A forgiving view of an (upgraded, not necessarily valid) document, so graph
 * checks can run even while some node configs still have errors: nodes with
 * an invalid config take part in the graph but their ports are unknown.
 */
import { isNodeType } from "@/flows/model/nodeTypes";
import type { NodeDefinition, NodeType, PortSpec } from "@/flows/model/types";
import { looseDefinition } from "@/flows/nodes/definitions";

export interface NodeView {
  index: number;
  id: string;
  type: NodeType;
  definition: NodeDefinition<NodeType, unknown>;
  /** The parsed config (defaults filled in); undefined when it has schema errors. */
  config?: unknown;
  ports?: PortSpec[];
}

export interface EdgeView {
  index: number;
  id: string;
  source: string;
  source_port: string;
  target: string;
}

export interface FlowView {
  nodes: NodeView[];
  edges: EdgeView[];
  /** First node with each id. */
  byId: Map<string, NodeView>;
}

export function flowView(document: Record<string, unknown>): FlowView {
  const nodes: NodeView[] = [];
  asArray(document.nodes).forEach((raw, index) => {
    if (!isRecord(raw) || typeof raw.id !== "string" || !isNodeType(raw.type)) return;
    const definition = looseDefinition(raw.type);
    const parsed = definition.configSchema.safeParse(raw.config);
    const node: NodeView = { index, id: raw.id, type: raw.type, definition };
    if (parsed.success) {
      node.config = parsed.data;
      node.ports = definition.ports(parsed.data);
    }
    nodes.push(node);
  });
  const edges: EdgeView[] = [];
  asArray(document.edges).forEach((raw, index) => {
    if (!isRecord(raw)) return;
    const { id, source, source_port, target } = raw;
    if (typeof id === "string" && typeof source === "string" && typeof source_port === "string" && typeof target === "string") {
      edges.push({ index, id, source, source_port, target });
    }
  });
  const byId = new Map<string, NodeView>();
  for (const node of nodes) if (!byId.has(node.id)) byId.set(node.id, node);
  return { nodes, edges, byId };
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
