/**
 * Document ⇄ React Flow. The canvas is drawn from the working document
 * (nodes, edges, issues, highlights); React Flow's change events come back
 * as document edits and selection. Node objects are reused while nothing
 * about them changed, so React Flow skips re-rendering untouched nodes.
 */
import { type Edge, type EdgeChange, MarkerType, type Node, type NodeChange } from "@xyflow/react";
import type { Locale, PortSpec, Position } from "@/flows/model/types";
import { looseDefinition } from "@/flows/nodes/definitions";
import { type EditorDocument, type EditorNode, displayLabel, portsOf, summaryOf } from "../editorDocument";
import type { NodeIssues } from "../issues";

/** How a node stands out: in the history view (against the previous revision) or as the test call's current step. */
export type Highlight = "added" | "changed" | "removed" | "active" | "visited";

export interface FlowNodeData extends Record<string, unknown> {
  node: EditorNode;
  label: string;
  typeLabel: string;
  summary: string;
  ports: PortSpec[];
  /** Output ports that have an edge, space-separated (a string, so memo comparison stays cheap). */
  connected: string;
  errors: number;
  warnings: number;
  highlight?: Highlight;
  locale: Locale;
}

export type FlowCanvasNode = Node<FlowNodeData, "flowNode">;

export interface CanvasInput {
  document: EditorDocument;
  selectedNodes: ReadonlySet<string>;
  selectedEdges: ReadonlySet<string>;
  issues: ReadonlyMap<string, NodeIssues>;
  highlights?: ReadonlyMap<string, Highlight>;
  measured: ReadonlyMap<string, { width: number; height: number }>;
  locale: Locale;
  readOnly?: boolean;
  /** Names of queues, CRM APIs, flows and recordings by id, so summaries read "Support" rather than "que_01J…". */
  names?: ReadonlyMap<string, string>;
}

export type NodeCache = Map<string, { key: unknown[]; node: FlowCanvasNode }>;

function sameKey(a: unknown[], b: unknown[]): boolean {
  return a.length === b.length && a.every((item, index) => item === b[index]);
}

export function toCanvasNodes(input: CanvasInput, cache: NodeCache): FlowCanvasNode[] {
  const connected = new Map<string, string[]>();
  for (const edge of input.document.edges) connected.set(edge.source, [...(connected.get(edge.source) ?? []), edge.source_port]);
  const seen = new Set<string>();
  const nodes = input.document.nodes.map((node) => {
    seen.add(node.id);
    const issues = input.issues.get(node.id);
    const key = [
      node,
      input.selectedNodes.has(node.id),
      issues?.errors.length ?? 0,
      issues?.warnings.length ?? 0,
      input.highlights?.get(node.id),
      input.measured.get(node.id),
      (connected.get(node.id) ?? []).sort().join(" "),
      input.locale,
      input.readOnly,
      input.names,
    ];
    const cached = cache.get(node.id);
    if (cached && sameKey(cached.key, key)) return cached.node;
    const canvasNode = buildNode(node, key, input);
    cache.set(node.id, { key, node: canvasNode });
    return canvasNode;
  });
  for (const id of cache.keys()) if (!seen.has(id)) cache.delete(id);
  return nodes;
}

function buildNode(node: EditorNode, key: unknown[], input: CanvasInput): FlowCanvasNode {
  const [, selected, errors, warnings, highlight, measured, connected] = key as [
    EditorNode,
    boolean,
    number,
    number,
    Highlight | undefined,
    { width: number; height: number } | undefined,
    string,
  ];
  const typeLabel = looseDefinition(node.type).label[input.locale];
  const label = displayLabel(node, input.locale);
  return {
    id: node.id,
    type: "flowNode",
    position: node.position,
    selected,
    deletable: !input.readOnly && node.type !== "start",
    ...(measured ? { measured } : {}),
    ariaLabel: label === typeLabel ? label : `${label} (${typeLabel})`,
    // The test call's or replay's current step, for assistive technology (the ring shows it visually).
    ...(highlight === "active" ? { domAttributes: { "aria-current": "step" as const } } : {}),
    // Every highlight also as a class on React Flow's node wrapper (styles, browser tests).
    ...(highlight ? { className: `node-${highlight}` } : {}),
    data: {
      node,
      label,
      typeLabel,
      summary: withNames(summaryOf(node, input.locale), input.names),
      ports: portsOf(node),
      connected,
      errors,
      warnings,
      highlight,
      locale: input.locale,
    },
  };
}

const PREFIXED_ID = /\b[a-z]{2,4}_[0-9A-HJKMNP-TV-Z]{26}\b/g;

/** Ids in a node summary replaced by what they name; unknown ids (a deleted queue) stay visible as they are. */
export function withNames(text: string, names: ReadonlyMap<string, string> | undefined): string {
  return names && names.size > 0 ? text.replace(PREFIXED_ID, (id) => names.get(id) ?? id) : text;
}

export function toCanvasEdges(
  document: EditorDocument,
  selected: ReadonlySet<string>,
  options: {
    removed?: EditorDocument["edges"];
    added?: ReadonlySet<string>;
    /** Connections a replayed call took, and the one into its current step. */
    taken?: ReadonlySet<string>;
    current?: string | null;
    describe: (source: string, port: string, target: string) => string;
  },
): Edge[] {
  const edge = (id: string, source: string, port: string, target: string, className: string): Edge => ({
    id,
    source,
    sourceHandle: port,
    target,
    type: "smoothstep",
    selected: selected.has(id),
    className,
    // A replayed path's arrowheads in the path's colour (CSS cannot reach React Flow's shared markers).
    markerEnd: { type: MarkerType.ArrowClosed, width: 18, height: 18, ...(className.startsWith("edge-taken") ? { color: "#2f6fde" } : {}) },
    ariaLabel: options.describe(source, port, target),
  });
  return [
    ...document.edges.map((item) => edge(item.id, item.source, item.source_port, item.target, edgeClass(item.id, options))),
    ...(options.removed ?? []).map((item) => ({ ...edge(`removed:${item.id}`, item.source, item.source_port, item.target, "edge-removed"), selectable: false })),
  ];
}

function edgeClass(id: string, options: { added?: ReadonlySet<string>; taken?: ReadonlySet<string>; current?: string | null }): string {
  if (options.current === id) return "edge-taken edge-current";
  if (options.taken?.has(id)) return "edge-taken";
  return options.added?.has(id) ? "edge-added" : "";
}

/** Positions reported while dragging (React Flow reports every frame). */
export function draggedPositions(changes: NodeChange<FlowCanvasNode>[]): Map<string, Position> {
  const positions = new Map<string, Position>();
  for (const change of changes) {
    if (change.type === "position" && change.position) positions.set(change.id, { x: Math.round(change.position.x), y: Math.round(change.position.y) });
  }
  return positions;
}

/** Sizes React Flow measured; kept so node objects can carry them back (React Flow needs them on controlled nodes). */
export function measuredSizes(
  current: ReadonlyMap<string, { width: number; height: number }>,
  changes: NodeChange<FlowCanvasNode>[],
): ReadonlyMap<string, { width: number; height: number }> {
  let next: Map<string, { width: number; height: number }> | null = null;
  for (const change of changes) {
    if (change.type !== "dimensions" || !change.dimensions) continue;
    const old = current.get(change.id);
    if (old && old.width === change.dimensions.width && old.height === change.dimensions.height) continue;
    next ??= new Map(current);
    next.set(change.id, { width: change.dimensions.width, height: change.dimensions.height });
  }
  return next ?? current;
}

/** Applies React Flow's select changes to a set of ids; the same set when nothing changed. */
export function applySelectChanges(current: ReadonlySet<string>, changes: (NodeChange | EdgeChange)[]): ReadonlySet<string> {
  let next: Set<string> | null = null;
  for (const change of changes) {
    if (change.type !== "select" || current.has(change.id) === change.selected) continue;
    next ??= new Set(current);
    if (change.selected) next.add(change.id);
    else next.delete(change.id);
  }
  return next ?? current;
}
