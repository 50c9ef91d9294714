import { describe, expect, it } from "vitest";
import { clampStep, readStep, replayFrame, replaySteps, type ReplayGraph } from "./replay";

// start → hours →(open) menu →(1) sales, →(2) support; hours →(closed) bye
const graph: ReplayGraph = {
  nodes: [{ id: "start" }, { id: "hours" }, { id: "menu" }, { id: "sales" }, { id: "support" }, { id: "bye" }, { id: "jump" }],
  edges: [
    { id: "e1", source: "start", source_port: "next", target: "hours" },
    { id: "e2", source: "hours", source_port: "open", target: "menu" },
    { id: "e3", source: "hours", source_port: "closed", target: "bye" },
    { id: "e4", source: "menu", source_port: "1", target: "sales" },
    { id: "e5", source: "menu", source_port: "2", target: "support" },
    { id: "e6", source: "sales", source_port: "no_answer", target: "support" },
  ],
};

const step = (node_id: string, branch: string | null, extra: Record<string, unknown> = {}) => ({
  node_id,
  type: "play",
  flow_id: "flow_a",
  at: "2026-11-24T09:00:00.000Z",
  input: {},
  output: {},
  branch,
  duration_ms: 10,
  ...extra,
});

const trace = [step("start", "next"), step("hours", "open"), step("menu", "1"), step("sales", "no_answer"), step("support", null)];

describe("replay steps", () => {
  it("finds the connection each step arrived by from the previous step's branch", () => {
    const steps = replaySteps(graph, "flow_a", trace);
    expect(steps.map((s) => [s.step.node_id, s.place, s.edgeIn])).toEqual([
      ["start", "canvas", null],
      ["hours", "canvas", "e1"],
      ["menu", "canvas", "e2"],
      ["sales", "canvas", "e4"],
      ["support", "canvas", "e6"],
    ]);
  });

  it("marks nodes the revision does not have as missing, and draws no connection to or from them", () => {
    const steps = replaySteps(graph, "flow_a", [step("start", "next"), step("ghost", "x"), step("menu", "1"), step("sales", null)]);
    expect(steps.map((s) => [s.place, s.edgeIn])).toEqual([
      ["canvas", null],
      ["missing", null],
      ["canvas", null],
      ["canvas", "e4"],
    ]);
  });

  it("draws no connection when the branch now leads somewhere else", () => {
    // hours took "closed" but the next step is menu: the stored path and the graph disagree.
    const steps = replaySteps(graph, "flow_a", [step("hours", "closed"), step("menu", null)]);
    expect(steps[1].edgeIn).toBeNull();
  });

  it("keeps steps of a flow reached by 'go to flow' off this canvas, even when node ids coincide", () => {
    const steps = replaySteps(graph, "flow_a", [step("jump", null), step("start", "next", { flow_id: "flow_b" }), step("hours", null, { flow_id: "flow_b" })]);
    expect(steps.map((s) => [s.place, s.edgeIn])).toEqual([
      ["canvas", null],
      ["otherFlow", null],
      ["otherFlow", null],
    ]);
  });

  it("reads malformed stored steps without throwing", () => {
    const steps = replaySteps(graph, "flow_a", [null, 42, { node_id: 7, branch: 3, duration_ms: "x", error: "boom" }, step("start", "next")]);
    expect(steps.map((s) => s.place)).toEqual(["missing", "missing", "missing", "canvas"]);
    expect(steps[2].step).toMatchObject({ node_id: "", branch: null, duration_ms: 0, error: "boom", input: {}, output: {} });
    expect(readStep(undefined).error).toBeUndefined();
  });
});

describe("replay frame", () => {
  const steps = replaySteps(graph, "flow_a", trace);

  it("at the first step shows only the start node as current", () => {
    const frame = replayFrame(steps, 0);
    expect([...frame.nodes]).toEqual([["start", "active"]]);
    expect(frame.edges.size).toBe(0);
    expect(frame).toMatchObject({ index: 0, currentEdge: null, currentNodeId: "start" });
  });

  it("at step k shows the path so far: visited nodes, connections taken, the current node and the connection into it", () => {
    const frame = replayFrame(steps, 2);
    expect(Object.fromEntries(frame.nodes)).toEqual({ start: "visited", hours: "visited", menu: "active" });
    expect([...frame.edges]).toEqual(["e1", "e2"]);
    expect(frame).toMatchObject({ index: 2, currentEdge: "e2", currentNodeId: "menu" });
  });

  it("keeps a node current when the call came back to it after visiting it", () => {
    const loop = replaySteps(graph, "flow_a", [step("start", "next"), step("hours", "open"), step("menu", "1"), step("sales", null)]);
    const looped = [...loop, { ...loop[1], index: 4, edgeIn: null }];
    expect(replayFrame(looped, 4).nodes.get("hours")).toBe("active");
  });

  it("clamps the step to the trace, and shows nothing for an empty trace", () => {
    expect(replayFrame(steps, 99).index).toBe(4);
    expect(replayFrame(steps, -3).index).toBe(0);
    expect(replayFrame([], 0)).toMatchObject({ index: -1, currentNodeId: null, currentEdge: null });
    expect(replayFrame([], 0).nodes.size).toBe(0);
    expect(clampStep(Number.NaN, 3)).toBe(0);
    expect(clampStep(1.7, 3)).toBe(1);
  });

  it("has no current node on the canvas while the current step is missing or in another flow", () => {
    const mixed = replaySteps(graph, "flow_a", [step("start", "next"), step("ghost", null)]);
    const frame = replayFrame(mixed, 1);
    expect(frame.currentNodeId).toBeNull();
    expect(Object.fromEntries(frame.nodes)).toEqual({ start: "visited" });
  });
});
