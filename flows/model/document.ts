/**
 * Reading flow documents. Every reader (API, editor import, runtime goto_flow,
 * validation) goes through `parseFlowDocument`, which upgrades old documents
 * and node configs first and then validates against a zod schema built from
 * the node-type registry.
 */
import { z } from "zod";
import { NODE_TYPES, type NodeType, isNodeType } from "@/flows/model/nodeTypes";
import { CURRENT_SCHEMA_VERSION, type DocumentIssue, type FlowDocument } from "@/flows/model/types";
import { languageSchema } from "@/flows/model/fields";
import { nodeDefinitions } from "@/flows/nodes/definitions";
import { ELEMENT_ID_PATTERN } from "@/flows/model/ids";
import { testScenarioSchema } from "@/flows/scenarios/schema";

export { ELEMENT_ID_PATTERN };

const elementIdSchema = z.string().regex(ELEMENT_ID_PATTERN, "Use 1–64 of A-Z, a-z, 0-9, _ and -");

function nodeSchemaFor<T extends NodeType>(type: T) {
  return z.strictObject({
    id: elementIdSchema,
    type: z.literal(type),
    version: z.number().int().min(1),
    position: z.strictObject({ x: z.number(), y: z.number() }),
    label: z.string().max(100).optional(),
    config: nodeDefinitions[type].configSchema,
  });
}

type NodeSchema = ReturnType<typeof nodeSchemaFor>;

export const flowNodeSchema = z.discriminatedUnion(
  "type",
  NODE_TYPES.map((type) => nodeSchemaFor(type)) as unknown as [NodeSchema, ...NodeSchema[]],
  { error: (issue) => (issue.code === "invalid_union" ? `Unknown node type ${JSON.stringify(typeField(issue.input))}` : undefined) },
);

export const flowEdgeSchema = z.strictObject({
  id: elementIdSchema,
  source: z.string().min(1),
  source_port: z.string().min(1),
  target: z.string().min(1),
});

/** The current document shape; `z.toJSONSchema(flowDocumentSchema)` describes it for the editor and OpenAPI. */
export const flowDocumentSchema = z.strictObject({
  schema_version: z.literal(CURRENT_SCHEMA_VERSION),
  name: z.string().trim().min(1, "Give the flow a name").max(200),
  description: z.string().max(2000).optional(),
  language: languageSchema.optional(),
  nodes: z.array(flowNodeSchema).max(500),
  edges: z.array(flowEdgeSchema).max(2000),
  test_scenarios: z.array(testScenarioSchema).max(50).optional(),
});

/**
 * A draft being edited: the same structure, but a node's config may still be
 * incomplete (a node just dropped on the canvas). Validation reports what is
 * missing, and publishing needs the full schema.
 */
const draftNodeSchema = z.strictObject({
  id: elementIdSchema,
  type: z.enum(NODE_TYPES, { error: (issue) => `Unknown node type ${JSON.stringify(issue.input)}` }),
  version: z.number().int().min(1),
  position: z.strictObject({ x: z.number(), y: z.number() }),
  label: z.string().max(100).optional(),
  config: z.record(z.string(), z.unknown()),
});
export const flowDraftSchema = flowDocumentSchema.extend({ nodes: z.array(draftNodeSchema).max(500) });

/** Document upgraders: entry `n` turns a schema_version n document into n + 1. */
type DocumentUpgrader = (document: Record<string, unknown>) => Record<string, unknown>;
const documentUpgraders: Record<number, DocumentUpgrader> = {
  // 1: (v1) => ({ ...v1, schema_version: 2, ... }),  ← the first breaking change goes here
};

export type ParseResult = { ok: true; document: FlowDocument } | { ok: false; errors: DocumentIssue[] };

export function parseFlowDocument(input: unknown): ParseResult {
  return parseWith(flowDocumentSchema, input);
}

/**
 * Reads a draft: structure, ids and node types as strictly as a document, node
 * configs as they are. The result is typed as a FlowDocument but only
 * `validateFlow` says whether its configs are complete.
 */
export function parseFlowDraft(input: unknown): ParseResult {
  return parseWith(flowDraftSchema, input);
}

function parseWith(schema: z.ZodType, input: unknown): ParseResult {
  const { document, errors } = upgradeFlowDocument(input);
  if (!document) return failure(errors);
  const issues = [...errors];
  const parsed = schema.safeParse(document);
  if (!parsed.success) issues.push(...parsed.error.issues.map((issue) => toDocumentIssue(issue, document)));
  if (issues.length > 0 || !parsed.success) return failure(issues);
  // The schema is built from the same registry as the FlowDocument type; zod cannot infer it through the mapped union.
  return { ok: true, document: parsed.data as unknown as FlowDocument };
}

/**
 * Brings a raw document to the current schema_version and node versions, not
 * yet validated. `document` is null when it cannot be read at all; `errors`
 * lists what could not be upgraded.
 */
export function upgradeFlowDocument(input: unknown): { document: Record<string, unknown> | null; errors: DocumentIssue[] } {
  if (!isRecord(input)) return { document: null, errors: [{ path: "", message: "A flow document must be a JSON object" }] };
  let version = input.schema_version;
  if (typeof version !== "number" || !Number.isInteger(version) || version < 1) {
    return { document: null, errors: [{ path: "schema_version", message: "schema_version must be a positive whole number" }] };
  }
  if (version > CURRENT_SCHEMA_VERSION) {
    const message = `schema_version ${version} is newer than this server understands (${CURRENT_SCHEMA_VERSION})`;
    return { document: null, errors: [{ path: "schema_version", message }] };
  }
  let document = input;
  while (version < CURRENT_SCHEMA_VERSION) {
    const upgrade = documentUpgraders[version];
    if (!upgrade) return { document: null, errors: [{ path: "schema_version", message: `No upgrade from schema_version ${version}` }] };
    document = upgrade(document);
    version += 1;
  }
  const errors: DocumentIssue[] = [];
  return { document: upgradeNodes(document, errors), errors };
}

/** Brings each node's config to its type's current version (n8n style); nodes without `version` are version 1. */
function upgradeNodes(document: Record<string, unknown>, issues: DocumentIssue[]): Record<string, unknown> {
  if (!Array.isArray(document.nodes)) return document;
  const nodes = document.nodes.map((node: unknown, index) => {
    if (!isRecord(node) || !isNodeType(node.type)) return node;
    const definition = nodeDefinitions[node.type];
    const version = node.version ?? 1;
    const nodeId = typeof node.id === "string" ? node.id : undefined;
    if (typeof version !== "number" || !Number.isInteger(version) || version < 1) return node;
    if (version === definition.version) return { ...node, version };
    if (version > definition.version) {
      issues.push({ path: `nodes.${index}.version`, node_id: nodeId, message: `Node version ${version} is newer than this server understands (${definition.version})` });
      return node;
    }
    if (!definition.upgrade) {
      issues.push({ path: `nodes.${index}.version`, node_id: nodeId, message: `No upgrade for ${node.type} from version ${version}` });
      return node;
    }
    return { ...node, version: definition.version, config: definition.upgrade(node.config, version) };
  });
  return { ...document, nodes };
}

function toDocumentIssue(issue: z.core.$ZodIssue, document: Record<string, unknown>): DocumentIssue {
  const path = issue.path.map(String).join(".");
  const nodeId = issue.path[0] === "nodes" && typeof issue.path[1] === "number" ? nodeIdAt(document, issue.path[1]) : undefined;
  return nodeId === undefined ? { path, message: issue.message } : { path, message: issue.message, node_id: nodeId };
}

function nodeIdAt(document: Record<string, unknown>, index: number): string | undefined {
  const node = Array.isArray(document.nodes) ? document.nodes[index] : undefined;
  return isRecord(node) && typeof node.id === "string" ? node.id : undefined;
}

function typeField(value: unknown): unknown {
  return isRecord(value) ? value.type : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function failure(errors: DocumentIssue[]): { ok: false; errors: DocumentIssue[] } {
  return { ok: false, errors };
}
