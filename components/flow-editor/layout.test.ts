import { describe, expect, it } from "vitest";
import { layoutPositions } from "./layout";
import { editorNode, menuDocument } from "./testDocuments";

describe("auto-layout", () => {
  it("lays the flow out left to right without overlaps", async () => {
    const document = menuDocument();
    document.nodes.push(editorNode("other", "hangup"));
    document.edges.push({ id: "e3", source: "menu", source_port: "2", target: "other" });
    const positions = await layoutPositions(document, new Map());
    const x = (id: string) => positions.get(id)!.x;
    expect(x("start")).toBeLessThan(x("menu"));
    expect(x("menu")).toBeLessThan(x("bye"));
    expect(x("bye")).toBe(x("other"));
    // Key 1 is above key 2 on the menu node, so its target is laid out above too.
    expect(positions.get("bye")!.y + 110).toBeLessThanOrEqual(positions.get("other")!.y);
  });

  it("skips edges whose output port does not exist instead of failing", async () => {
    const document = menuDocument();
    document.edges.push({ id: "e9", source: "menu", source_port: "7", target: "bye" });
    expect((await layoutPositions(document, new Map())).size).toBe(3);
  });
});
