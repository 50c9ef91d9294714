import { describe, expect, it } from "vitest";
import { NODE_TYPES } from "@/flows/model/nodeTypes";
import { nodeDefinitions } from "@/flows/nodes/definitions";
import { Circle } from "lucide-react";
import { displayLabel, portsOf, summaryOf, uniqueId } from "./editorDocument";
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
});
