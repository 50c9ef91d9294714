import { describe, expect, it } from "vitest";
import { diffDocuments, hasBehaviourChanges } from "./diff";
import { editorNode, menuDocument } from "./testDocuments";

describe("flow diff", () => {
  it("finds added, removed, changed and moved nodes and edges", () => {
    const before = menuDocument();
    const after = structuredClone(before);
    after.nodes[1].config.prompt = "New prompt";
    after.nodes[0].position = { x: -50, y: 0 };
    after.nodes = after.nodes.filter((node) => node.id !== "bye");
    after.nodes.push(editorNode("info", "play", { text: "Hi" }));
    after.edges = [after.edges[0], { id: "e2", source: "menu", source_port: "1", target: "info" }];
    const diff = diffDocuments(before, after);
    expect([...diff.added]).toEqual(["info"]);
    expect([...diff.removed]).toEqual(["bye"]);
    expect([...diff.changed]).toEqual(["menu"]);
    expect([...diff.moved]).toEqual(["start"]);
    expect(diff.addedEdges.map((edge) => edge.target)).toEqual(["info"]);
    expect(diff.removedEdges.map((edge) => edge.target)).toEqual(["bye"]);
    expect(hasBehaviourChanges(diff)).toBe(true);
  });

  it("ignores key order, edge ids and moves when judging behaviour", () => {
    const before = menuDocument();
    const after = structuredClone(before);
    after.nodes[1].config = { max_retries: 2, timeout_s: 5, options: ["1", "2"], prompt: "Press 1 or 2" };
    after.edges = after.edges.map((edge, index) => ({ ...edge, id: `edge${index}` }));
    after.nodes[2].position = { x: 0, y: 300 };
    expect(hasBehaviourChanges(diffDocuments(before, after))).toBe(false);
    expect(hasBehaviourChanges(diffDocuments(before, { ...after, name: "Other" }))).toBe(true);
  });
});
