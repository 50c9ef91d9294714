/**
 * Replaying a past call on the canvas: which steps of its trace can be drawn
 * on the revision it ran, which connection each step arrived by, and what is
 * highlighted at step k (visited nodes, connections taken, the current one).
 * The trace comes from storage, so nothing in it is trusted: unknown nodes are
 * reported as missing instead of drawn, malformed steps are read leniently.
 */
import type { Highlight } from "./canvas/canvasElements";

/** One stored step (the runtime's trace step), as far as it could be read. */
export interface TraceStep {
  node_id: string;
  /** The node type as recorded (may name a type this build does not know). */
  type: string;
  flow_id: string | null;
  /** ISO time the node was entered; empty when not recorded. */
  at: string;
  input: Record<string, unknown>;
  output: Record<string, unknown>;
  branch: string | null;
  duration_ms: number;
  error?: string;
}

/** The parts of a flow document the replay needs. */
export interface ReplayGraph {
  nodes: readonly { id: string }[];
  edges: readonly { id: string; source: string; source_port: string; target: string }[];
}

/** Where a step is: on this canvas, in the flow but not in this revision, or in a flow reached by "go to flow". */
export type StepPlace = "canvas" | "missing" | "otherFlow";

export interface ReplayStep {
  index: number;
  step: TraceStep;
  place: StepPlace;
  /** The connection the call took from the previous step to this one, when both are on this canvas. */
  edgeIn: string | null;
}

export interface ReplayFrame {
  /** The step shown, clamped to the trace (-1 for an empty trace). */
  index: number;
  nodes: ReadonlyMap<string, Highlight>;
  /** Connections taken up to and including the current step. */
  edges: ReadonlySet<string>;
  /** The connection that led to the current step. */
  currentEdge: string | null;
  /** The current step's node, when it is on this canvas. */
  currentNodeId: string | null;
}

const text = (value: unknown): string | null => (typeof value === "string" ? value : null);
const record = (value: unknown): Record<string, unknown> => (typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {});

/** A stored step read without trusting its shape. */
export function readStep(raw: unknown): TraceStep {
  const value = record(raw);
  const duration = typeof value.duration_ms === "number" && Number.isFinite(value.duration_ms) ? value.duration_ms : 0;
  const error = text(value.error);
  return {
    node_id: text(value.node_id) ?? "",
    type: text(value.type) ?? "",
    flow_id: text(value.flow_id),
    at: text(value.at) ?? "",
    input: record(value.input),
    output: record(value.output),
    branch: text(value.branch),
    duration_ms: duration,
    ...(error ? { error } : {}),
  };
}

/** Places each step of a call that ran flow `flowId` on `graph` (the revision it ran). */
export function replaySteps(graph: ReplayGraph, flowId: string | null, rawSteps: readonly unknown[]): ReplayStep[] {
  const nodeIds = new Set(graph.nodes.map((node) => node.id));
  const edgeOf = new Map(graph.edges.map((edge) => [`${edge.source}\n${edge.source_port}\n${edge.target}`, edge.id]));
  const result: ReplayStep[] = [];
  rawSteps.forEach((raw, index) => {
    const step = readStep(raw);
    const place: StepPlace = step.flow_id !== null && flowId !== null && step.flow_id !== flowId ? "otherFlow" : nodeIds.has(step.node_id) ? "canvas" : "missing";
    const previous = result[index - 1];
    // Only the exact connection counts: a port that now leads elsewhere is not the way this call went.
    const edgeIn =
      previous && previous.place === "canvas" && place === "canvas" && previous.step.branch !== null
        ? (edgeOf.get(`${previous.step.node_id}\n${previous.step.branch}\n${step.node_id}`) ?? null)
        : null;
    result.push({ index, step, place, edgeIn });
  });
  return result;
}

/** Keeps a step number inside the trace. */
export function clampStep(index: number, length: number): number {
  if (length === 0) return -1;
  return Math.min(Math.max(Number.isFinite(index) ? Math.trunc(index) : 0, 0), length - 1);
}

/** What the canvas shows at step `index`: the path so far, the current node emphasised. */
export function replayFrame(steps: readonly ReplayStep[], index: number): ReplayFrame {
  const current = clampStep(index, steps.length);
  const nodes = new Map<string, Highlight>();
  const edges = new Set<string>();
  for (const item of steps.slice(0, current + 1)) {
    if (item.place === "canvas") nodes.set(item.step.node_id, "visited");
    if (item.edgeIn) edges.add(item.edgeIn);
  }
  const step = steps[current];
  const currentNodeId = step?.place === "canvas" ? step.step.node_id : null;
  if (currentNodeId) nodes.set(currentNodeId, "active");
  return { index: current, nodes, edges, currentEdge: step?.edgeIn ?? null, currentNodeId };
}
