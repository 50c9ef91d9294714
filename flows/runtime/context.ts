/** What the interpreter needs from its host, and what it reports back. */
import type { NodeType, TraceData } from "@/flows/model/types";
import type { Clock, FlowLoader, IntegrationPort, Logger } from "@/flows/runtime/ports";

export interface RuntimeLimits {
  /** Nodes executed per call, across goto_flow jumps. */
  maxSteps: number;
  /** Times one node may be entered in a call (a caller stuck in a menu loop, a flow that loops through waits). */
  maxNodeEntries: number;
  /** goto_flow jumps per call. */
  maxGotoDepth: number;
  /** Upper bound for a CRM round trip (look-up, notify, send_call_data) on top of the integration's own timeout. */
  integrationTimeoutMs: number;
}

export const DEFAULT_LIMITS: Readonly<RuntimeLimits> = {
  maxSteps: 1_000,
  maxNodeEntries: 20,
  maxGotoDepth: 8,
  integrationTimeoutMs: 15_000,
};

/** One executed node, as kept in the call's trace and streamed live to `onStep`. */
export interface TraceStep {
  node_id: string;
  type: NodeType;
  flow_id: string | null;
  /** ISO 8601 time the node was entered (from the injected clock). */
  at: string;
  /** The node's config as used: templates rendered. */
  input: TraceData;
  output: TraceData;
  /** Port taken; null when the node ended the call or the flow. */
  branch: string | null;
  duration_ms: number;
  /** Set when the node failed (template or executor error). */
  error?: string;
}

export interface NodeEnteredEvent {
  node_id: string;
  type: NodeType;
  flow_id: string | null;
}

export interface RuntimeContext {
  clock: Clock;
  integration: IntegrationPort;
  flows: FlowLoader;
  logger: Logger;
  /** Called as each node finishes; a listener that throws is logged and ignored. */
  onStep?(step: TraceStep): void;
  /** Called as each node starts (the simulator's `current_node_id`). */
  onNodeEntered?(event: NodeEnteredEvent): void;
  limits?: Partial<RuntimeLimits>;
}

export interface RunFlowOptions {
  /** Id of the flow `document` belongs to (defaults to `call.flowId`). */
  flowId?: string | null;
  /** Variables known before the flow starts (e.g. from POST /ivr-calls); invalid names are ignored. */
  variables?: Record<string, unknown>;
}

export type RunOutcome = "completed" | "hangup" | "failed";

/**
 * Why a run ended. completed: `hangup_node` (a hangup node), `flow_end` (a port
 * led nowhere). hangup: `caller_hangup`. failed: a guard or an error.
 */
export type RunEndReason =
  | "hangup_node"
  | "flow_end"
  | "caller_hangup"
  | "step_limit"
  | "loop_limit"
  | "goto_depth_limit"
  | "goto_flow_not_found"
  | "goto_flow_invalid"
  | "no_start_node"
  | "template_error"
  | "executor_error";

export interface FlowRunResult {
  outcome: RunOutcome;
  reason: RunEndReason;
  trace: TraceStep[];
  variables: Record<string, unknown>;
  lastNodeId: string | null;
}
