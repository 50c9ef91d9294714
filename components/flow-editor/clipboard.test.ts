import { describe, expect, it } from "vitest";
import { clipboardText, copyNodes, pasteNodes, readClipboardText } from "./clipboard";
import { menuDocument } from "./testDocuments";

describe("copy and paste", () => {
  it("copies the selected nodes with the edges between them, never the start node", () => {
    const payload = copyNodes(menuDocument(), new Set(["start", "menu", "bye"]));
    expect(payload?.nodes.map((node) => node.id)).toEqual(["menu", "bye"]);
    expect(payload?.edges.map((edge) => edge.id)).toEqual(["e2"]);
    expect(copyNodes(menuDocument(), new Set(["start"]))).toBeNull();
  });

  it("pastes with fresh ids and rewired edges, offset from the original", () => {
    const document = menuDocument();
    const payload = copyNodes(document, new Set(["menu", "bye"]))!;
    const { document: pasted, pastedIds } = pasteNodes(document, payload);
    expect(pastedIds).toEqual(["menu_2", "bye_2"]);
    expect(pasted.nodes.find((node) => node.id === "menu_2")?.position).toEqual({ x: 340, y: 40 });
    expect(pasted.edges.at(-1)).toEqual({ id: "e3", source: "menu_2", source_port: "1", target: "bye_2" });
    expect(pasted.nodes).toHaveLength(5);
  });

  it("places a pasted group at a point", () => {
    const payload = copyNodes(menuDocument(), new Set(["menu", "bye"]))!;
    const { document } = pasteNodes(menuDocument(), payload, { x: 1000, y: 500 });
    expect(document.nodes.slice(-2).map((node) => node.position)).toEqual([{ x: 1000, y: 500 }, { x: 1300, y: 500 }]);
  });

  it("round-trips through clipboard text and ignores foreign text", () => {
    const payload = copyNodes(menuDocument(), new Set(["menu"]))!;
    expect(readClipboardText(clipboardText(payload))).toEqual(payload);
    expect(readClipboardText("hello")).toBeNull();
    expect(readClipboardText(JSON.stringify({ format: "switchboard/flow-nodes", nodes: [{ id: "x", type: "teleport" }], edges: [] }))).toBeNull();
  });
});
