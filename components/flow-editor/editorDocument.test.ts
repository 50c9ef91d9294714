import { describe, expect, it } from "vitest";
import { NODE_TYPES } from "@/flows/model/nodeTypes";
import { nodeDefinitions } from "@/flows/nodes/definitions";
import { Circle } from "lucide-react";
import { type EditorDocument, displayLabel, portsOf, sameExceptPositions, summaryOf, uniqueId } from "./editorDocument";
import { moveNodes } from "./documentEdits";
import { iconFor } from "./nodeAppearance";
import { editorNode } from "./testDocuments";

describe("editor document", () => {
  it("draws ports for a node whose config is still incomplete", () => {
    expect(portsOf(editorNode("p", "play", { text: "" })).map((port) => port.id)).toEqual(["next"]);
    expect(portsOf(editorNode("m", "menu", { prompt: "", options: ["1", "3"] })).map((port) => port.id)).toEqual(["1", "3", "timeout", "invalid"]);
    expect(portsOf(editorNode("c", "condition", { rules: "broken" })).map((port) => port.id)).toEqual(["rule_1", "else"]);
    expect(portsOf(editorNode("m", "menu", { options: ["1", "1"] })).map((port) => port.id)).toEqual(["1", "timeout", "invalid"]);
  });

  it("summarises with defaults filled in, in the admin's language", () => {
    const menu = editorNode("m", "menu", { prompt: "Hi", options: ["1"] });
    expect(summaryOf(menu, "en")).toBe("Keys 1 · 5 s");
    expect(summaryOf(menu, "hu")).toBe("Gombok: 1 · 5 mp");
  });

  it("labels nodes by their own label, else their type", () => {
    expect(displayLabel({ type: "menu", label: "Main menu" }, "en")).toBe("Main menu");
    expect(displayLabel({ type: "menu" }, "hu")).toBe("Menü");
  });

  it("makes readable unique ids", () => {
    expect(uniqueId("menu", new Set())).toBe("menu");
    expect(uniqueId("menu", new Set(["menu", "menu_2"]))).toBe("menu_3");
  });

  it("has an icon for every node type", () => {
    for (const type of NODE_TYPES) expect(iconFor(nodeDefinitions[type].icon), type).not.toBe(Circle);
  });

  it("tells a move from every other change", () => {
    const play = editorNode("p", "play", { text: "Hi" });
    const document: EditorDocument = { schema_version: 1, name: "F", nodes: [editorNode("start", "start", {}), play], edges: [] };
    expect(sameExceptPositions(document, moveNodes(document, new Map([["p", { x: 500, y: 80 }]])))).toBe(true);
    expect(sameExceptPositions(document, { ...document, name: "G" })).toBe(false);
    expect(sameExceptPositions(document, { ...document, edges: [{ id: "e", source: "start", source_port: "next", target: "p" }] })).toBe(false);
    expect(sameExceptPositions(document, { ...document, nodes: [document.nodes[0], { ...play, config: { text: "Hello" } }] })).toBe(false);
    expect(sameExceptPositions(document, { ...document, nodes: [document.nodes[0], { ...play, label: "Greeting" }] })).toBe(false);
    expect(sameExceptPositions(document, { ...document, nodes: [play, document.nodes[0]] })).toBe(false);
    expect(sameExceptPositions(document, { ...document, nodes: [document.nodes[0]] })).toBe(false);
  });
});
