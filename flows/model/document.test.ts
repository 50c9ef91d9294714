import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { flowDocumentSchema, parseFlowDocument } from "@/flows/model/document";
import { serializeFlowDocument } from "@/flows/model/serialize";
import { NODE_TYPES } from "@/flows/model/nodeTypes";
import type { NodeDefinition, NodeType } from "@/flows/model/types";
import { nodeDefinitions } from "@/flows/nodes/definitions";

const minimal = {
  schema_version: 1,
  name: "Reception",
  nodes: [
    { id: "start", type: "start", position: { x: 0, y: 0 }, config: {} },
    { id: "menu", type: "menu", position: { x: 200, y: 0 }, config: { prompt: "Press 1", options: ["1"] } },
  ],
  edges: [{ id: "e1", source: "start", source_port: "next", target: "menu" }],
};

describe("parseFlowDocument", () => {
  it("accepts a document and fills in config defaults and node versions", () => {
    const result = parseFlowDocument(minimal);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const menu = result.document.nodes[1];
    expect(menu.version).toBe(1);
    expect(menu.config).toEqual({ prompt: "Press 1", options: ["1"], timeout_s: 5, max_retries: 2 });
  });

  it("accepts prompts as a string or as {text, language, audio_id}", () => {
    const detailed = structuredClone(minimal);
    detailed.nodes[1].config.prompt = { text: "Nyomja meg az 1-et", language: "hu", audio_id: "a1" } as never;
    expect(parseFlowDocument(detailed).ok).toBe(true);
    detailed.nodes[1].config.prompt = { text: "x", volume: 3 } as never;
    expect(parseFlowDocument(detailed).ok).toBe(false);
  });

  it("reports config errors with the node id and a dotted path", () => {
    const broken = structuredClone(minimal);
    broken.nodes[1].config = { prompt: "Press", options: ["1", "x"], timeout_s: 500 } as never;
    const result = parseFlowDocument(broken);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const paths = result.errors.map((error) => error.path).sort();
    expect(paths).toEqual(["nodes.1.config.options.1", "nodes.1.config.timeout_s"]);
    expect(result.errors.every((error) => error.node_id === "menu")).toBe(true);

    broken.nodes[1].config = { prompt: "Press", options: ["1", "1"] } as never;
    const duplicate = parseFlowDocument(broken);
    expect(duplicate.ok ? [] : duplicate.errors).toEqual([{ path: "nodes.1.config.options.1", message: "Key 1 is used twice", node_id: "menu" }]);
  });

  it("names unknown node types and rejects unknown fields", () => {
    const result = parseFlowDocument({ ...minimal, nodes: [...minimal.nodes, { id: "x", type: "teleport", position: { x: 0, y: 0 }, config: {} }], extra: 1 });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toContainEqual(expect.objectContaining({ node_id: "x", message: 'Unknown node type "teleport"' }));
    expect(result.errors.some((error) => error.message.includes("extra"))).toBe(true);
  });

  it("refuses documents newer than it understands, or without a version", () => {
    const newer = parseFlowDocument({ ...minimal, schema_version: 2 });
    expect(newer).toEqual({ ok: false, errors: [expect.objectContaining({ path: "schema_version" })] });
    expect(parseFlowDocument({ ...minimal, schema_version: undefined }).ok).toBe(false);
    expect(parseFlowDocument("not json").ok).toBe(false);
  });

  it("refuses a node written by a newer node-type version", () => {
    const future = structuredClone(minimal);
    (future.nodes[1] as Record<string, unknown>).version = 2;
    const result = parseFlowDocument(future);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0]).toMatchObject({ path: "nodes.1.version", node_id: "menu" });
  });
});

describe("node config upgrades", () => {
  const registry = nodeDefinitions as unknown as Record<NodeType, NodeDefinition<NodeType, unknown>>;
  const original = registry.menu;
  afterEach(() => {
    registry.menu = original;
  });

  it("runs the node type's upgrade for configs written with an older version", () => {
    // A hypothetical menu v2 that renamed `timeout_s` from v1's `wait`.
    registry.menu = {
      ...original,
      version: 2,
      upgrade: (old, from) => {
        expect(from).toBe(1);
        const { wait, ...rest } = old as { wait: number };
        return { ...rest, timeout_s: wait };
      },
    };
    const v1 = structuredClone(minimal);
    v1.nodes[1].config = { prompt: "Press 1", options: ["1"], wait: 9 } as never;
    const result = parseFlowDocument(v1);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.document.nodes[1]).toMatchObject({ version: 2, config: { timeout_s: 9 } });
  });
});

describe("serializeFlowDocument", () => {
  it("writes the same text whatever order the keys came in, and reads back to the same document", () => {
    const parsed = parseFlowDocument(minimal);
    if (!parsed.ok) throw new Error("fixture invalid");
    const shuffled = parseFlowDocument({
      edges: minimal.edges.map(({ target, id, source_port, source }) => ({ target, source_port, source, id })),
      nodes: minimal.nodes.map(({ config, position, type, id }) => ({ config: { ...config }, position: { y: position.y, x: position.x }, type, id })),
      name: "Reception",
      schema_version: 1,
    });
    if (!shuffled.ok) throw new Error("fixture invalid");
    const text = serializeFlowDocument(parsed.document);
    expect(serializeFlowDocument(shuffled.document)).toBe(text);
    expect(text.indexOf('"schema_version"')).toBeLessThan(text.indexOf('"nodes"'));
    expect(text.indexOf('"max_retries"')).toBeLessThan(text.indexOf('"timeout_s"'));
    const again = parseFlowDocument(JSON.parse(text));
    expect(again.ok && again.document).toEqual(parsed.document);
  });
});

describe("the document schema", () => {
  it("is built from every node type and converts to JSON Schema for the editor", () => {
    const schema = z.toJSONSchema(flowDocumentSchema) as unknown as { properties: { nodes: { items: { oneOf?: unknown[]; anyOf?: unknown[] } } } };
    const variants = schema.properties.nodes.items.oneOf ?? schema.properties.nodes.items.anyOf ?? [];
    expect(variants).toHaveLength(NODE_TYPES.length);
    expect(JSON.stringify(schema)).toContain('"widget":"dtmf_options"');
  });
});
