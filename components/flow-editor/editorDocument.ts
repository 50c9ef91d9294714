/**
 * The editor's working copy of a flow. It has the document's shape, but node
 * configs may be incomplete while the admin is still filling them in, so they
 * are plain records here; `parseFlowDraft` turns the working copy into a
 * document for saving and export (validation says what is still missing).
 */
import { CURRENT_SCHEMA_VERSION, type FlowDocument, type FlowEdge, type Locale, type NodeType, type PortSpec, type Position } from "@/flows/model/types";
import { parseFlowDraft, type ParseResult } from "@/flows/model/document";
import { looseDefinition } from "@/flows/nodes/definitions";

export type NodeConfigRecord = Record<string, unknown>;

export interface EditorNode {
  id: string;
  type: NodeType;
  version: number;
  position: Position;
  label?: string;
  config: NodeConfigRecord;
}

export interface EditorDocument {
  schema_version: typeof CURRENT_SCHEMA_VERSION;
  name: string;
  description?: string;
  language?: string;
  nodes: EditorNode[];
  edges: FlowEdge[];
  /** Saved test scenarios travel with the flow unchanged; the editor does not edit them. */
  test_scenarios?: FlowDocument["test_scenarios"];
}

export function toEditorDocument(document: FlowDocument): EditorDocument {
  return structuredClone(document) as EditorDocument;
}

/**
 * True when `b` differs from `a` only in where nodes stand. Moves are most of
 * an editing session (a drag changes the document every frame) and change
 * nothing that validation or connections depend on.
 */
export function sameExceptPositions(a: EditorDocument, b: EditorDocument): boolean {
  if (a === b) return true;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  keys.delete("nodes");
  for (const key of keys) if (a[key as keyof EditorDocument] !== b[key as keyof EditorDocument]) return false;
  return (
    a.nodes.length === b.nodes.length &&
    a.nodes.every((node, i) => {
      const other = b.nodes[i];
      return node === other || (node.id === other.id && node.type === other.type && node.version === other.version && node.label === other.label && node.config === other.config);
    })
  );
}

/** The working copy read as a draft: structurally sound is enough to save it; validation reports incomplete configs. */
export function parseEditorDocument(document: EditorDocument): ParseResult {
  return parseFlowDraft(document);
}

/** The config with schema defaults filled in when it is complete; the raw config otherwise. */
function effectiveConfig(node: EditorNode): unknown {
  const parsed = looseDefinition(node.type).configSchema.safeParse(node.config);
  return parsed.success ? parsed.data : node.config;
}

/**
 * Output ports as the canvas should draw them. An incomplete config still has
 * ports (a new Play node can be connected before its text is written); a
 * config too broken to compute them falls back to the type's defaults.
 */
export function portsOf(node: EditorNode): PortSpec[] {
  const definition = looseDefinition(node.type);
  let ports: PortSpec[];
  try {
    ports = definition.ports(effectiveConfig(node));
  } catch {
    ports = definition.ports(definition.defaults);
  }
  const seen = new Set<string>();
  return ports.filter((port) => !seen.has(port.id) && seen.add(port.id));
}

export function summaryOf(node: EditorNode, locale: Locale): string {
  try {
    return looseDefinition(node.type).summary(effectiveConfig(node), locale);
  } catch {
    return "";
  }
}

export function displayLabel(node: Pick<EditorNode, "type" | "label">, locale: Locale): string {
  return node.label?.trim() || looseDefinition(node.type).label[locale];
}

/** A readable, unique id such as `menu_2`, so exported documents and validation messages stay legible. */
export function uniqueId(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    const candidate = `${base}_${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}

export function newNode(type: NodeType, position: Position, taken: ReadonlySet<string>): EditorNode {
  const definition = looseDefinition(type);
  return {
    id: uniqueId(type, taken),
    type,
    version: definition.version,
    position: { x: Math.round(position.x), y: Math.round(position.y) },
    config: structuredClone(definition.defaults) as NodeConfigRecord,
  };
}

export function nodeIds(document: EditorDocument): Set<string> {
  return new Set(document.nodes.map((node) => node.id));
}

export function edgeIds(document: EditorDocument): Set<string> {
  return new Set(document.edges.map((edge) => edge.id));
}

/** Edge ids `e1`, `e2`, … like hand-written documents. */
export function nextEdgeId(taken: ReadonlySet<string>): string {
  for (let n = taken.size + 1; ; n++) if (!taken.has(`e${n}`)) return `e${n}`;
}
