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
    const state: LiveFlowState = { callId, flowId, revision, currentNodeId: null, trace: [], prompts: [], outcome: null };
    this.states.set(callId, state);
    return state;
  }

  get(callId: string): LiveFlowState | undefined {
    return this.states.get(callId);
  }

  finish(callId: string, outcome: string): void {
    const state = this.states.get(callId);
    if (!state) return;
    state.outcome = outcome;
    state.currentNodeId = null;
    this.ended.push(callId);
    while (this.ended.length > this.keepEnded) this.states.delete(this.ended.shift()!);
  }
}
