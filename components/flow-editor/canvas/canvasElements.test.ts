import { describe, expect, it } from "vitest";
import { type NodeCache, applySelectChanges, draggedPositions, measuredSizes, toCanvasEdges, toCanvasNodes, withNames } from "./canvasElements";
import { menuDocument } from "../testDocuments";
import { setNodeLabel } from "../documentEdits";

const input = (document = menuDocument()) => ({
  document,
  selectedNodes: new Set(["menu"]),
  selectedEdges: new Set<string>(),
  issues: new Map([["menu", { errors: [], warnings: [{ code: "x" }, { code: "y" }] }]]) as never,
  measured: new Map([["bye", { width: 240, height: 80 }]]),
  locale: "hu" as const,
});

describe("document → canvas", () => {
  it("draws each node with its label, summary, ports, issues and selection", () => {
    const [start, menu, bye] = toCanvasNodes(input(), new Map());
    expect(start.deletable).toBe(false);
    expect(menu).toMatchObject({ id: "menu", type: "flowNode", position: { x: 300, y: 0 }, selected: true, ariaLabel: "Menü" });
    expect(menu.data).toMatchObject({ label: "Menü", summary: "Gombok: 1, 2 · 5 mp", connected: "1", warnings: 2, errors: 0 });
    expect(menu.data.ports.map((port) => port.id)).toEqual(["1", "2", "timeout", "invalid"]);
    expect(bye.measured).toEqual({ width: 240, height: 80 });
  });

  it("reuses node objects that did not change", () => {
    const cache: NodeCache = new Map();
    const document = menuDocument();
    const first = toCanvasNodes(input(document), cache);
    const second = toCanvasNodes(input(setNodeLabel(document, "bye", "Goodbye")), cache);
    expect(second[0]).toBe(first[0]);
    expect(second[1]).toBe(first[1]);
    expect(second[2]).not.toBe(first[2]);
    expect(second[2].ariaLabel).toBe("Goodbye (Bontás)");
  });

  it("draws edges from ports, and removed edges of a revision as ghosts", () => {
    const document = menuDocument();
    const edges = toCanvasEdges(document, new Set(["e2"]), {
      removed: [{ id: "e7", source: "menu", source_port: "2", target: "bye" }],
      added: new Set(["e1"]),
      describe: (source, port, target) => `${source}:${port}→${target}`,
    });
    expect(edges.map((edge) => [edge.id, edge.sourceHandle, edge.selected, edge.className])).toEqual([
      ["e1", "next", false, "edge-added"],
      ["e2", "1", true, ""],
      ["removed:e7", "2", false, "edge-removed"],
    ]);
    expect(edges[1].ariaLabel).toBe("menu:1→bye");
  });

  it("marks a replayed call's path: connections taken, the one into the current step, and highlighted nodes", () => {
    const describe = () => "";
    const edges = toCanvasEdges(menuDocument(), new Set(), { taken: new Set(["e1", "e2"]), current: "e2", describe });
    expect(edges.map((edge) => edge.className)).toEqual(["edge-taken", "edge-taken edge-current"]);
    const [start, menu] = toCanvasNodes({ ...input(), highlights: new Map([["start", "visited"], ["menu", "active"]]) }, new Map());
    expect([start.className, start.domAttributes]).toEqual(["node-visited", undefined]);
    expect([menu.className, menu.domAttributes]).toEqual(["node-active", { "aria-current": "step" }]);
  });
});

describe("node summaries", () => {
  it("name the queues, APIs and flows they refer to, and keep unknown ids visible", () => {
    const names = new Map([["que_01J9ZQ8Y3K4V5W6X7Y8Z9A0B1C", "Support"]]);
    expect(withNames("que_01J9ZQ8Y3K4V5W6X7Y8Z9A0B1C · up to 300 s", names)).toBe("Support · up to 300 s");
    expect(withNames("Look up via oapi_01J9ZQ8Y3K4V5W6X7Y8Z9A0B1D", names)).toBe("Look up via oapi_01J9ZQ8Y3K4V5W6X7Y8Z9A0B1D");
    expect(withNames("Keys 1, 2 · 5 s", names)).toBe("Keys 1, 2 · 5 s");
  });
});

describe("canvas changes → document", () => {
  it("reads dragged positions, measured sizes and selection", () => {
    expect(draggedPositions([{ type: "position", id: "menu", position: { x: 10.6, y: 2 } }, { type: "select", id: "bye", selected: true }])).toEqual(
      new Map([["menu", { x: 11, y: 2 }]]),
    );
    const sizes = new Map([["menu", { width: 240, height: 100 }]]);
    expect(measuredSizes(sizes, [{ type: "dimensions", id: "menu", dimensions: { width: 240, height: 100 } }])).toBe(sizes);
    expect(measuredSizes(sizes, [{ type: "dimensions", id: "bye", dimensions: { width: 240, height: 60 } }]).get("bye")).toEqual({ width: 240, height: 60 });
    const selected = new Set(["menu"]);
    expect(applySelectChanges(selected, [{ type: "select", id: "menu", selected: true }])).toBe(selected);
    expect([...applySelectChanges(selected, [{ type: "select", id: "menu", selected: false }, { type: "select", id: "bye", selected: true }])]).toEqual(["bye"]);
  });
});
