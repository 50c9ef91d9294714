/**
 * Copy and paste of node selections, within a flow and between flows (even
 * between browser tabs, through the system clipboard as JSON text).
 */
import { z } from "zod";
import { ELEMENT_ID_PATTERN, flowEdgeSchema } from "@/flows/model/document";
import { NODE_TYPES } from "@/flows/model/nodeTypes";
import type { FlowEdge, Position } from "@/flows/model/types";
import { type EditorDocument, type EditorNode, edgeIds, nextEdgeId, nodeIds, uniqueId } from "./editorDocument";

const CLIPBOARD_FORMAT = "switchboard/flow-nodes";

export interface ClipboardPayload {
  format: typeof CLIPBOARD_FORMAT;
  nodes: EditorNode[];
  edges: FlowEdge[];
}

const payloadSchema = z.object({
  format: z.literal(CLIPBOARD_FORMAT),
  nodes: z.array(
    z.object({
      id: z.string().regex(ELEMENT_ID_PATTERN),
      type: z.enum(NODE_TYPES),
      version: z.number().int().min(1),
      position: z.object({ x: z.number(), y: z.number() }),
      label: z.string().optional(),
      config: z.record(z.string(), z.unknown()),
    }),
  ),
  edges: z.array(flowEdgeSchema),
});

/** The selected nodes and the edges between them. The start node is never copied: a flow has exactly one. */
export function copyNodes(document: EditorDocument, selected: ReadonlySet<string>): ClipboardPayload | null {
  const nodes = document.nodes.filter((node) => selected.has(node.id) && node.type !== "start");
  if (nodes.length === 0) return null;
  const copied = new Set(nodes.map((node) => node.id));
  const edges = document.edges.filter((edge) => copied.has(edge.source) && copied.has(edge.target));
  return structuredClone({ format: CLIPBOARD_FORMAT, nodes, edges });
}

export function clipboardText(payload: ClipboardPayload): string {
  return JSON.stringify(payload);
}

/** Reads clipboard text; anything that is not a node selection (plain text, another app's JSON) is null. */
export function readClipboardText(text: string): ClipboardPayload | null {
  try {
    const parsed = payloadSchema.safeParse(JSON.parse(text));
    return parsed.success ? (parsed.data as ClipboardPayload) : null;
  } catch {
    return null;
  }
}

/**
 * Adds the payload's nodes with fresh ids (edges between them follow).
 * `at` places the group's top-left corner; without it the copy lands a
 * little below-right of the original so it is visibly a copy.
 */
export function pasteNodes(document: EditorDocument, payload: ClipboardPayload, at?: Position): { document: EditorDocument; pastedIds: string[] } {
  const takenNodes = nodeIds(document);
  const idMap = new Map<string, string>();
  const left = Math.min(...payload.nodes.map((node) => node.position.x));
  const top = Math.min(...payload.nodes.map((node) => node.position.y));
  const shift = at ? { x: at.x - left, y: at.y - top } : { x: 40, y: 40 };
  const nodes = payload.nodes
    .filter((node) => node.type !== "start")
    .map((node): EditorNode => {
      const id = uniqueId(node.id, takenNodes);
      takenNodes.add(id);
      idMap.set(node.id, id);
      return { ...structuredClone(node), id, position: { x: Math.round(node.position.x + shift.x), y: Math.round(node.position.y + shift.y) } };
    });
  const takenEdges = edgeIds(document);
  const edges = payload.edges.flatMap((edge) => {
    const source = idMap.get(edge.source);
    const target = idMap.get(edge.target);
    if (!source || !target) return [];
    const id = nextEdgeId(takenEdges);
    takenEdges.add(id);
    return [{ id, source, source_port: edge.source_port, target }];
  });
  return {
    document: { ...document, nodes: [...document.nodes, ...nodes], edges: [...document.edges, ...edges] },
    pastedIds: nodes.map((node) => node.id),
  };
}
