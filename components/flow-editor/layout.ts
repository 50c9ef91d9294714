/**
 * Auto-layout with ELK's layered algorithm: calls flow left to right, and
 * each node's outputs keep their top-to-bottom order so edges do not cross
 * needlessly. Loaded on first use: ELK is large and most sessions never need it.
 */
import type { ElkNode } from "elkjs/lib/elk-api";
import type { Position } from "@/flows/model/types";
import { type EditorDocument, portsOf } from "./editorDocument";

export interface NodeSize {
  width: number;
  height: number;
}

/** What a node measures before React Flow has rendered it. */
export const DEFAULT_NODE_SIZE: NodeSize = { width: 240, height: 110 };

const LAYOUT_OPTIONS = {
  "elk.algorithm": "layered",
  "elk.direction": "RIGHT",
  "elk.layered.spacing.nodeNodeBetweenLayers": "90",
  "elk.spacing.nodeNode": "40",
  "elk.layered.nodePlacement.strategy": "BRANDES_KOEPF",
  "elk.layered.considerModelOrder.strategy": "NODES_AND_EDGES",
};

function elkGraph(document: EditorDocument, sizes: ReadonlyMap<string, NodeSize>): ElkNode {
  const portIds = new Map(document.nodes.map((node) => [node.id, new Set(portsOf(node).map((port) => port.id))]));
  return {
    id: "flow",
    layoutOptions: LAYOUT_OPTIONS,
    children: document.nodes.map((node) => ({
      id: node.id,
      ...(sizes.get(node.id) ?? DEFAULT_NODE_SIZE),
      layoutOptions: { "elk.portConstraints": "FIXED_ORDER" },
      ports: [
        { id: `${node.id}:in`, layoutOptions: { "elk.port.side": "WEST" } },
        ...portsOf(node).map((port, index) => ({
          id: `${node.id}:out:${port.id}`,
          layoutOptions: { "elk.port.side": "EAST", "elk.port.index": String(index) },
        })),
      ],
    })),
    edges: document.edges
      // ELK refuses edges to ports it does not know; validation reports those edges anyway.
      .filter((edge) => portIds.get(edge.source)?.has(edge.source_port) && portIds.has(edge.target))
      .map((edge) => ({ id: edge.id, sources: [`${edge.source}:out:${edge.source_port}`], targets: [`${edge.target}:in`] })),
  };
}

export async function layoutPositions(document: EditorDocument, sizes: ReadonlyMap<string, NodeSize>): Promise<Map<string, Position>> {
  const { default: ELK } = await import("elkjs/lib/elk.bundled.js");
  const result = await new ELK().layout(elkGraph(document, sizes));
  return new Map((result.children ?? []).map((child) => [child.id, { x: Math.round(child.x ?? 0), y: Math.round(child.y ?? 0) }]));
}
