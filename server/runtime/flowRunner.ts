import type { FlowDocument } from "@/flows/model/types";
import { runFlow } from "@/flows/runtime/interpreter";
import type { RuntimeContext } from "@/flows/runtime/context";
import type { CallChannel, CallInfo, Clock, FlowLoader, IntegrationPort, Logger, ResolvedPrompt } from "@/flows/runtime/ports";
import type { LiveCalls } from "./liveCalls";

export interface FlowRunnerDeps {
  clock: Clock;
  integration: IntegrationPort;
  flows: FlowLoader;
  logger: Logger;
  live: LiveCalls;
  /** Told as each node starts (scenario runs press keys when the flow reaches a node). */
  onNodeEntered?: (callId: string, nodeId: string) => void;
  /** Where the finished trace goes (SQLite for real calls; nowhere for test calls). */
  saveTrace?: (trace: { callId: string; conversationId: string; flowId: string | null; revision: number | null; outcome: string; steps: unknown[] }) => void;
}

/** Prompts the caller hears are recorded for the live view as the channel plays them. */
function observePrompts(channel: CallChannel, onPrompt: (prompt: ResolvedPrompt) => void): CallChannel {
  return {
    callId: channel.callId,
    conversationId: channel.conversationId,
    play: (prompt) => (onPrompt(prompt), channel.play(prompt)),
    collectDigits: (request) => (request.prompt && onPrompt(request.prompt), channel.collectDigits(request)),
    dial: (request) => channel.dial(request),
    enqueue: (request) => (request.holdPrompt && onPrompt(request.holdPrompt), channel.enqueue(request)),
    voicemail: (request) => (request.greeting && onPrompt(request.greeting), channel.voicemail(request)),
    hangup: (cause) => channel.hangup(cause),
  };
}

/**
 * Runs a flow document on a call with live state: the current node, each
 * step and each prompt are visible while the call runs, and the finished
 * trace is saved for replay.
 */
export async function runFlowWithLiveState(
  deps: FlowRunnerDeps,
  channel: CallChannel,
  call: CallInfo,
  flow: { document: FlowDocument; flowId: string | null; revision: number | null },
  variables: Record<string, unknown>,
): Promise<void> {
  const live = deps.live.start(call.id, flow.flowId, flow.revision);
  const ctx: RuntimeContext = {
    clock: deps.clock,
    integration: deps.integration,
    flows: deps.flows,
    logger: deps.logger,
    onNodeEntered: (event) => {
      deps.live.nodeEntered(live, event.node_id);
      deps.onNodeEntered?.(call.id, event.node_id);
    },
    onStep: (step) => live.trace.push(step),
  };
  const observed = observePrompts(channel, ({ text, language, audioId }) =>
    live.prompts.push({ text, language, ...(audioId === undefined ? {} : { audioId }), at: new Date(deps.clock.now()).toISOString() }),
  );
  const result = await runFlow(ctx, observed, flow.document, call, { flowId: flow.flowId, variables });
  deps.live.finish(call.id, result.outcome, result.variables);
  deps.saveTrace?.({ callId: call.id, conversationId: call.conversationId, flowId: flow.flowId, revision: flow.revision, outcome: result.outcome, steps: result.trace });
}
