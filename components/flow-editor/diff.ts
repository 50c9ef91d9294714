/**
 * What changed between two versions of a flow, for the history view (a
 * revision against the one before it) and for "unpublished changes".
 * Edges are compared by what they connect, not by their ids.
 */
import type { FlowEdge } from "@/flows/model/types";
import type { EditorDocument, EditorNode } from "./editorDocument";

export interface FlowDiff {
  added: Set<string>;
  removed: Set<string>;
  /** Same node id, different type, label or settings. */
  changed: Set<string>;
  /** Only the position differs. */
  moved: Set<string>;
  addedEdges: FlowEdge[];
  removedEdges: FlowEdge[];
  /** Name, description or language changed. */
  settingsChanged: boolean;
}

export function diffDocuments(before: EditorDocument, after: EditorDocument): FlowDiff {
  const beforeNodes = new Map(before.nodes.map((node) => [node.id, node]));
  const afterIds = new Set(after.nodes.map((node) => node.id));
  const diff: FlowDiff = {
    added: new Set(),
    removed: new Set(before.nodes.filter((node) => !afterIds.has(node.id)).map((node) => node.id)),
    changed: new Set(),
    moved: new Set(),
    addedEdges: [],
    removedEdges: [],
    settingsChanged: before.name !== after.name || (before.description ?? "") !== (after.description ?? "") || before.language !== after.language,
  };
  for (const node of after.nodes) {
    const old = beforeNodes.get(node.id);
    if (!old) diff.added.add(node.id);
    else if (contentKey(old) !== contentKey(node)) diff.changed.add(node.id);
    else if (old.position.x !== node.position.x || old.position.y !== node.position.y) diff.moved.add(node.id);
  }
  const beforeEdges = new Set(before.edges.map(edgeKey));
  const afterEdges = new Set(after.edges.map(edgeKey));
  diff.addedEdges = after.edges.filter((edge) => !beforeEdges.has(edgeKey(edge)));
  diff.removedEdges = before.edges.filter((edge) => !afterEdges.has(edgeKey(edge)));
  return diff;
}

/** True when the flow behaves the same (moving nodes around does not count). */
export function hasBehaviourChanges(diff: FlowDiff): boolean {
  return (
    diff.added.size + diff.removed.size + diff.changed.size + diff.addedEdges.length + diff.removedEdges.length > 0 || diff.settingsChanged
  );
}

function edgeKey(edge: FlowEdge): string {
  return `${edge.source}\u0000${edge.source_port}\u0000${edge.target}`;
}

function contentKey(node: EditorNode): string {
  return stableJson({ type: node.type, label: node.label ?? "", config: node.config });
}

/** JSON with object keys sorted, so key order never counts as a change. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${stableJson(item)}`).join(",")}}`;
}
