/**
 * Export format: the same JSON every time for the same flow, so exported
 * flows diff cleanly in version control. Document, node and edge keys come in
 * a fixed reading order; keys inside configs are sorted.
 */
import type { FlowDocument, FlowEdge, FlowNode } from "@/flows/model/types";

const DOCUMENT_KEYS = ["schema_version", "name", "description", "language", "nodes", "edges", "test_scenarios"] as const;
const NODE_KEYS = ["id", "type", "version", "label", "position", "config"] as const;
const EDGE_KEYS = ["id", "source", "source_port", "target"] as const;

export function serializeFlowDocument(document: FlowDocument): string {
  const ordered = {
    ...pick(document, DOCUMENT_KEYS),
    nodes: document.nodes.map(orderNode),
    edges: document.edges.map((edge: FlowEdge) => pick(edge, EDGE_KEYS)),
  };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

function orderNode(node: FlowNode): Record<string, unknown> {
  return { ...pick(node, NODE_KEYS), position: { x: node.position.x, y: node.position.y }, config: sortKeys(node.config) };
}

function pick<T extends object>(source: T, keys: readonly string[]): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const key of keys) {
    const value = (source as Record<string, unknown>)[key];
    if (value !== undefined) result[key] = value;
  }
  return result;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
  return sorted;
}
