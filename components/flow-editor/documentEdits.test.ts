import { describe, expect, it } from "vitest";
import { addNode, deleteElements, moveNodes, setFlowSettings, setNodeConfig, setNodeLabel } from "./documentEdits";
import { menuDocument } from "./testDocuments";

describe("document edits", () => {
  it("adds a node of a type with its defaults and a readable unique id", () => {
    const { document, node } = addNode(menuDocument(), "menu", { x: 10.4, y: 20.6 });
    expect(node).toMatchObject({ id: "menu_2", type: "menu", version: 1, position: { x: 10, y: 21 }, config: { options: ["1", "2"] } });
    expect(document.nodes.at(-1)).toBe(node);
  });

  it("changes a config and drops edges of ports that no longer exist", () => {
    const document = setNodeConfig(menuDocument(), "menu", { prompt: "Press 2", options: ["2"] });
    expect(document.nodes[1].config).toEqual({ prompt: "Press 2", options: ["2"] });
    expect(document.edges.map((edge) => edge.id)).toEqual(["e1"]);
  });

  it("keeps unchanged nodes identical, so the canvas re-renders only what changed", () => {
    const before = menuDocument();
    const after = setNodeLabel(before, "menu", "Main menu");
    expect(after.nodes[1].label).toBe("Main menu");
    expect(after.nodes[0]).toBe(before.nodes[0]);
    expect(setNodeLabel(after, "menu", "  ").nodes[1]).not.toHaveProperty("label");
  });

  it("moves nodes", () => {
    const document = moveNodes(menuDocument(), new Map([["bye", { x: 5, y: 6 }]]));
    expect(document.nodes[2].position).toEqual({ x: 5, y: 6 });
  });

  it("deletes nodes with their edges, but never the start node", () => {
    const document = deleteElements(menuDocument(), new Set(["start", "menu"]));
    expect(document.nodes.map((node) => node.id)).toEqual(["start", "bye"]);
    expect(document.edges).toEqual([]);
    expect(deleteElements(menuDocument(), new Set(), new Set(["e2"])).edges.map((edge) => edge.id)).toEqual(["e1"]);
    const unchanged = menuDocument();
    expect(deleteElements(unchanged, new Set(["start"]))).toBe(unchanged);
  });

  it("leaves empty optional settings out of the document", () => {
    const document = setFlowSettings({ ...menuDocument(), description: "old" }, { name: "Main line", description: "", language: "en" });
    expect(document).toMatchObject({ name: "Main line", language: "en" });
    expect(document).not.toHaveProperty("description");
  });
});
