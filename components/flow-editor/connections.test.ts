import { describe, expect, it } from "vitest";
import { connect, connectionProblem, reconcilePortEdges, reconnect, setPortTarget } from "./connections";
import { portsOf } from "./editorDocument";
import { editorNode, menuDocument } from "./testDocuments";

describe("connection rules", () => {
  const document = menuDocument();

  it("allows a free output port into another node", () => {
    expect(connectionProblem(document, { source: "menu", sourceHandle: "2", target: "bye" })).toBeNull();
  });

  it("forbids what the flow model forbids", () => {
    expect(connectionProblem(document, { source: "menu", sourceHandle: "2", target: "start" })).toBe("into_start");
    expect(connectionProblem(document, { source: "menu", sourceHandle: "2", target: "menu" })).toBe("self_loop");
    expect(connectionProblem(document, { source: "menu", sourceHandle: "1", target: "start" })).toBe("into_start");
    expect(connectionProblem(document, { source: "menu", sourceHandle: "1", target: "bye" })).toBe("port_taken");
    expect(connectionProblem(document, { source: "menu", sourceHandle: "9", target: "bye" })).toBe("unknown_port");
    expect(connectionProblem(document, { source: "menu", sourceHandle: null, target: "bye" })).toBe("unknown_port");
    expect(connectionProblem(document, { source: "ghost", sourceHandle: "next", target: "bye" })).toBe("unknown_node");
  });

  it("adds an edge with a fresh id, and ignores a forbidden one", () => {
    const connected = connect(document, { source: "menu", sourceHandle: "timeout", target: "bye" });
    expect(connected.edges.at(-1)).toEqual({ id: "e3", source: "menu", source_port: "timeout", target: "bye" });
    expect(connect(document, { source: "menu", sourceHandle: "1", target: "bye" })).toBe(document);
  });

  it("moves an edge end, where the edge itself does not count as taking the port", () => {
    const withPlay = { ...document, nodes: [...document.nodes, editorNode("info", "play", { text: "Hi" })] };
    const moved = reconnect(withPlay, "e2", { source: "menu", sourceHandle: "1", target: "info" });
    expect(moved.edges.find((edge) => edge.id === "e2")?.target).toBe("info");
  });

  it("points a port at a node from the inspector, replacing or clearing its edge", () => {
    const withPlay = { ...document, nodes: [...document.nodes, editorNode("info", "play", { text: "Hi" })] };
    const pointed = setPortTarget(withPlay, "menu", "1", "info");
    expect(pointed.edges.filter((edge) => edge.source === "menu" && edge.source_port === "1").map((edge) => edge.target)).toEqual(["info"]);
    expect(setPortTarget(pointed, "menu", "1", null).edges.some((edge) => edge.source_port === "1")).toBe(false);
  });
});

describe("keeping edges in step with ports", () => {
  it("drops edges of a removed menu key and keeps the others", () => {
    const document = menuDocument();
    const menu = document.nodes[1];
    const after = { ...menu, config: { ...menu.config, options: ["2"] } };
    const result = reconcilePortEdges(document, "menu", portsOf(menu), portsOf(after));
    expect(result.edges.map((edge) => edge.id)).toEqual(["e1"]);
  });

  it("follows a condition rule that was renamed", () => {
    const rule = (id: string) => editorNode("check", "condition", { rules: [{ id, when: "lookup.found" }] });
    const document = { ...menuDocument(), nodes: [...menuDocument().nodes, rule("rule_1")], edges: [{ id: "e9", source: "check", source_port: "rule_1", target: "bye" }] };
    const result = reconcilePortEdges(document, "check", portsOf(rule("rule_1")), portsOf(rule("vip")));
    expect(result.edges).toEqual([{ id: "e9", source: "check", source_port: "vip", target: "bye" }]);
  });

  it("returns the same document when nothing changed", () => {
    const document = menuDocument();
    const menu = document.nodes[1];
    expect(reconcilePortEdges(document, "menu", portsOf(menu), portsOf(menu))).toBe(document);
  });
});
