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

  constructor(private readonly keepEnded = 500) {}

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
