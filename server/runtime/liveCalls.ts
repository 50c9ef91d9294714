import type { TraceStep } from "@/flows/runtime/context";
import type { ResolvedPrompt } from "@/flows/runtime/ports";

export interface PromptHeard extends ResolvedPrompt {
  at: string;
}

/** What the simulator and the editor's test panel show about a call's flow while it runs. */
export interface LiveFlowState {
  callId: string;
  flowId: string | null;
  revision: number | null;
  currentNodeId: string | null;
  trace: TraceStep[];
  prompts: PromptHeard[];
  outcome: string | null;
  /** The flow's variables when it finished. */
  variables: Record<string, unknown>;
}

/**
 * Flow state of recent calls, in memory and bounded: running calls plus the
 * last `keepEnded` finished ones (finished traces are also in SQLite).
 */
export class LiveCalls {
  private readonly states = new Map<string, LiveFlowState>();
  private readonly ended: string[] = [];
  private readonly nodeListeners = new Set<(callId: string) => void>();

  constructor(private readonly keepEnded = 500) {}

  /** A call's flow entered a node. No PBX event says so, and the live calls view shows the node (liveFeed.ts). */
  nodeEntered(state: LiveFlowState, nodeId: string): void {
    state.currentNodeId = nodeId;
    for (const listener of this.nodeListeners) listener(state.callId);
  }

  /** Returns an unsubscribe. */
  onNodeEntered(listener: (callId: string) => void): () => void {
    this.nodeListeners.add(listener);
    return () => this.nodeListeners.delete(listener);
  }

  start(callId: string, flowId: string | null, revision: number | null): LiveFlowState {
    const state: LiveFlowState = { callId, flowId, revision, currentNodeId: null, trace: [], prompts: [], outcome: null, variables: {} };
    this.states.set(callId, state);
    return state;
  }

  get(callId: string): LiveFlowState | undefined {
    return this.states.get(callId);
  }

  finish(callId: string, outcome: string, variables: Record<string, unknown>): void {
    const state = this.states.get(callId);
    if (!state) return;
    state.outcome = outcome;
    state.variables = variables;
    state.currentNodeId = null;
    this.ended.push(callId);
    while (this.ended.length > this.keepEnded) this.states.delete(this.ended.shift()!);
  }
}
