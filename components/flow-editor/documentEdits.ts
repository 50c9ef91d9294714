/** The edits the canvas and inspector make to the working document, as pure functions (unit-tested, undoable). */
import type { NodeType, Position } from "@/flows/model/types";
import { reconcilePortEdges } from "./connections";
import { type EditorDocument, type EditorNode, type NodeConfigRecord, newNode, nodeIds, portsOf } from "./editorDocument";

export function addNode(document: EditorDocument, type: NodeType, position: Position): { document: EditorDocument; node: EditorNode } {
  const node = newNode(type, position, nodeIds(document));
  return { document: { ...document, nodes: [...document.nodes, node] }, node };
}

/** Replaces one node; unchanged nodes keep their identity so memoized canvas nodes do not re-render. */
function updateNode(document: EditorDocument, nodeId: string, change: (node: EditorNode) => EditorNode): EditorDocument {
  let changed = false;
  const nodes = document.nodes.map((node) => {
    if (node.id !== nodeId) return node;
    changed = true;
    return change(node);
  });
  return changed ? { ...document, nodes } : document;
}

export function setNodeConfig(document: EditorDocument, nodeId: string, config: NodeConfigRecord): EditorDocument {
  const before = document.nodes.find((node) => node.id === nodeId);
  if (!before) return document;
  const updated = updateNode(document, nodeId, (node) => ({ ...node, config }));
  const after = updated.nodes.find((node) => node.id === nodeId) as EditorNode;
  return reconcilePortEdges(updated, nodeId, portsOf(before), portsOf(after));
}

export function setNodeLabel(document: EditorDocument, nodeId: string, label: string): EditorDocument {
  return updateNode(document, nodeId, (node) => {
    const { label: _old, ...rest } = node;
    return label.trim() === "" ? rest : { ...rest, label };
  });
}

export function moveNodes(document: EditorDocument, positions: ReadonlyMap<string, Position>): EditorDocument {
  if (positions.size === 0) return document;
  return {
    ...document,
    nodes: document.nodes.map((node) => {
      const position = positions.get(node.id);
      return position && (position.x !== node.position.x || position.y !== node.position.y) ? { ...node, position } : node;
    }),
  };
}

export interface FlowSettings {
  name: string;
  description?: string;
  language?: string;
}

/** Name, description and language; empty optional fields are left out of the document rather than stored as "". */
export function setFlowSettings(document: EditorDocument, settings: FlowSettings): EditorDocument {
  const { description: _description, language: _language, ...rest } = document;
  return {
    ...rest,
    name: settings.name,
    ...(settings.description ? { description: settings.description } : {}),
    ...(settings.language ? { language: settings.language } : {}),
  };
}

/** Removes nodes (never the start node: a flow has exactly one) and every edge touching them, plus the given edges. */
export function deleteElements(document: EditorDocument, nodeIdsToDelete: ReadonlySet<string>, edgeIdsToDelete: ReadonlySet<string> = new Set()): EditorDocument {
  const removed = new Set(document.nodes.filter((node) => nodeIdsToDelete.has(node.id) && node.type !== "start").map((node) => node.id));
  const edges = document.edges.filter((edge) => !removed.has(edge.source) && !removed.has(edge.target) && !edgeIdsToDelete.has(edge.id));
  if (removed.size === 0 && edges.length === document.edges.length) return document;
  return { ...document, nodes: document.nodes.filter((node) => !removed.has(node.id)), edges };
}
