/**
 * Drawing connections: the same rules the flow model enforces, checked while
 * the admin drags (React Flow's isValidConnection) so a forbidden connection
 * can never be drawn, and the edits that keep edges in step with ports.
 */
import type { FlowEdge, PortSpec } from "@/flows/model/types";
import { type EditorDocument, edgeIds, nextEdgeId, portsOf } from "./editorDocument";

export interface PortConnection {
  source: string;
  sourceHandle: string | null | undefined;
  target: string;
}

export type ConnectionProblem = "unknown_node" | "unknown_port" | "into_start" | "self_loop" | "port_taken";

/** Why a connection may not be drawn, or null when it may. `ignoreEdgeId` is the edge being reconnected. */
export function connectionProblem(document: EditorDocument, connection: PortConnection, ignoreEdgeId?: string): ConnectionProblem | null {
  const source = document.nodes.find((node) => node.id === connection.source);
  const target = document.nodes.find((node) => node.id === connection.target);
  if (!source || !target) return "unknown_node";
  const port = connection.sourceHandle;
  if (!port || !portsOf(source).some((spec) => spec.id === port)) return "unknown_port";
  if (target.type === "start") return "into_start";
  if (source.id === target.id) return "self_loop";
  const taken = document.edges.some((edge) => edge.id !== ignoreEdgeId && edge.source === source.id && edge.source_port === port);
  return taken ? "port_taken" : null;
}

export function connect(document: EditorDocument, connection: PortConnection): EditorDocument {
  if (connectionProblem(document, connection) !== null) return document;
  const edge: FlowEdge = {
    id: nextEdgeId(edgeIds(document)),
    source: connection.source,
    source_port: connection.sourceHandle as string,
    target: connection.target,
  };
  return { ...document, edges: [...document.edges, edge] };
}

/** Moves an existing edge's ends (dragging an edge end to another node). */
export function reconnect(document: EditorDocument, edgeId: string, connection: PortConnection): EditorDocument {
  if (connectionProblem(document, connection, edgeId) !== null) return document;
  return {
    ...document,
    edges: document.edges.map((edge) =>
      edge.id === edgeId ? { ...edge, source: connection.source, source_port: connection.sourceHandle as string, target: connection.target } : edge,
    ),
  };
}

/** Points one output port at a node (or nowhere when `target` is null): the inspector's keyboard-friendly way to connect. */
export function setPortTarget(document: EditorDocument, source: string, port: string, target: string | null): EditorDocument {
  const others = document.edges.filter((edge) => !(edge.source === source && edge.source_port === port));
  const cleared = { ...document, edges: others };
  return target === null ? cleared : connect(cleared, { source, sourceHandle: port, target });
}

/**
 * After a node's config changed its ports: an edge on a port that was renamed
 * in place (a condition rule's id, a menu key swapped for another) follows the
 * new name; edges on ports that are gone are removed.
 */
export function reconcilePortEdges(document: EditorDocument, nodeId: string, before: PortSpec[], after: PortSpec[]): EditorDocument {
  const afterIds = new Set(after.map((port) => port.id));
  const beforeIds = new Set(before.map((port) => port.id));
  const renamed = new Map<string, string>();
  before.forEach((port, index) => {
    const replacement = after[index];
    if (!afterIds.has(port.id) && replacement && !beforeIds.has(replacement.id)) renamed.set(port.id, replacement.id);
  });
  const edges = document.edges.flatMap((edge) => {
    if (edge.source !== nodeId || afterIds.has(edge.source_port)) return [edge];
    const port = renamed.get(edge.source_port);
    return port ? [{ ...edge, source_port: port }] : [];
  });
  return edges.length === document.edges.length && edges.every((edge, index) => edge === document.edges[index]) ? document : { ...document, edges };
}
