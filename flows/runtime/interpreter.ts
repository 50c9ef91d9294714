/**
 * Runs one call through a flow: start node, then executor after executor,
 * following the port each one returns, until the call ends, the flow ends,
 * or a guard stops it. Never throws and never leaves the call hanging:
 * every failure ends the call with cause "flow_error".
 */
import { parseFlowDocument } from "@/flows/model/document";
import type { FlowDocument, FlowNode, NextStep, NodeExecutor, NodeType } from "@/flows/model/types";
import { nodeExecutors } from "@/flows/nodes/executors";
import {
  DEFAULT_LIMITS,
  type FlowRunResult,
  type RunEndReason,
  type RunFlowOptions,
  type RunOutcome,
  type RuntimeContext,
  type RuntimeLimits,
  type TraceStep,
} from "@/flows/runtime/context";
import { type CompiledFlow, compileFlow } from "@/flows/runtime/compiledFlow";
import { CallExecution } from "@/flows/runtime/execution";
import type { CallChannel, CallInfo } from "@/flows/runtime/ports";
import { TemplateError } from "@/flows/templates/errors";

export async function runFlow(
  ctx: RuntimeContext,
  channel: CallChannel,
  document: FlowDocument,
  call: CallInfo,
  options: RunFlowOptions = {},
): Promise<FlowRunResult> {
  const run = new FlowRun(ctx, channel, call, options);
  try {
    return await run.start(document, options.flowId === undefined ? call.flowId : options.flowId);
  } catch (error) {
    // Interpreter bug or a host callback gone wrong: still end the call cleanly.
    ctx.logger.error({ callId: call.id, error: errorMessage(error) }, "flow run crashed");
    return run.fail("executor_error");
  }
}

/** One small state object per call. */
class FlowRun {
  private readonly limits: RuntimeLimits;
  private readonly execution: CallExecution;
  private readonly trace: TraceStep[] = [];
  private steps = 0;
  private gotoJumps = 0;
  private lastNodeId: string | null = null;

  constructor(
    private readonly ctx: RuntimeContext,
    private readonly channel: CallChannel,
    call: CallInfo,
    options: RunFlowOptions,
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...ctx.limits };
    this.execution = new CallExecution(call, channel, ctx, this.limits.integrationTimeoutMs, call.flowId);
    this.execution.mergeVariables(options.variables);
  }

  async start(document: FlowDocument, flowId: string | null): Promise<FlowRunResult> {
    let flow = this.enter(document, flowId);
    let node = flow.start;
    let entries = new Uint16Array(document.nodes.length);
    while (node) {
      if (this.steps >= this.limits.maxSteps) return this.fail("step_limit");
      const index = flow.indexOf.get(node.id) as number;
      if (++entries[index] > this.limits.maxNodeEntries) return this.fail("loop_limit");
      this.steps += 1;
      const next = await this.execute(node);
      if (next instanceof Error) return this.fail(next instanceof TemplateError ? "template_error" : "executor_error");
      switch (next.kind) {
        case "caller_hangup":
          return this.finish("hangup", "caller_hangup");
        case "end_call":
          this.hangUp(next.cause);
          return this.finish("completed", "hangup_node");
        case "goto_flow": {
          const target = await this.loadFlow(next.flowId);
          if (typeof target === "string") return this.fail(target);
          flow = this.enter(target, next.flowId);
          node = flow.start;
          entries = new Uint16Array(target.nodes.length);
          break;
        }
        case "port": {
          const target = flow.target(node.id, next.port);
          if (!target) {
            this.hangUp(next.bridged ? "normal_clearing" : "flow_end");
            return this.finish("completed", "flow_end");
          }
          node = target;
        }
      }
    }
    return this.fail("no_start_node");
  }

  fail(reason: RunEndReason): FlowRunResult {
    this.ctx.logger.warn({ callId: this.execution.call.id, reason, nodeId: this.lastNodeId }, "flow run failed");
    this.hangUp("flow_error");
    return this.finish("failed", reason);
  }

  private enter(document: FlowDocument, flowId: string | null): CompiledFlow {
    this.execution.enterFlow(flowId, document);
    return compileFlow(document);
  }

  private async execute(node: FlowNode): Promise<NextStep | Error> {
    const clock = this.ctx.clock;
    const startedAt = clock.now();
    const flowId = this.execution.flowId;
    this.lastNodeId = node.id;
    this.notify(() => this.ctx.onNodeEntered?.({ node_id: node.id, type: node.type, flow_id: flowId }));
    const next = await runExecutor(this.execution, node);
    const failed = next instanceof Error;
    const step: TraceStep = {
      node_id: node.id,
      type: node.type,
      flow_id: flowId,
      at: new Date(startedAt).toISOString(),
      input: failed ? {} : (next.input ?? {}),
      output: failed ? {} : (next.output ?? {}),
      branch: !failed && next.kind === "port" ? next.port : null,
      duration_ms: clock.now() - startedAt,
    };
    if (failed) step.error = next.message;
    this.trace.push(step);
    this.notify(() => this.ctx.onStep?.(step));
    return next;
  }

  /** Returns the parsed flow, or why it cannot be entered. */
  private async loadFlow(flowId: string): Promise<FlowDocument | RunEndReason> {
    if (++this.gotoJumps > this.limits.maxGotoDepth) return "goto_depth_limit";
    let raw: unknown;
    try {
      raw = await this.ctx.flows.loadPublished(flowId);
    } catch (error) {
      this.ctx.logger.error({ flowId, error: errorMessage(error) }, "could not load flow for goto_flow");
      return "goto_flow_not_found";
    }
    if (raw === null || raw === undefined) return "goto_flow_not_found";
    const parsed = parseCached(raw);
    if (!parsed) return "goto_flow_invalid";
    return parsed;
  }

  private hangUp(cause: string): void {
    try {
      this.channel.hangup(cause);
    } catch (error) {
      this.ctx.logger.error({ callId: this.execution.call.id, cause, error: errorMessage(error) }, "channel hangup failed");
    }
  }

  private notify(listener: () => void): void {
    try {
      listener();
    } catch (error) {
      this.ctx.logger.warn({ error: errorMessage(error) }, "runtime listener threw");
    }
  }

  private finish(outcome: RunOutcome, reason: RunEndReason): FlowRunResult {
    return { outcome, reason, trace: this.trace, variables: this.execution.variables(), lastNodeId: this.lastNodeId };
  }
}

/** An executor's next step, or what it threw. */
async function runExecutor(execution: CallExecution, node: FlowNode): Promise<NextStep | Error> {
  // The registry is complete per type; TypeScript cannot correlate a node's type with its executor through the union.
  const executor = nodeExecutors[node.type] as NodeExecutor<NodeType>;
  try {
    return await executor(execution, node);
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/** Loaders usually cache a revision's object; parse each distinct object once. */
const parsedFlows = new WeakMap<object, FlowDocument | null>();

function parseCached(raw: unknown): FlowDocument | null {
  if (typeof raw !== "object" || raw === null) return null;
  let parsed = parsedFlows.get(raw);
  if (parsed === undefined) {
    const result = parseFlowDocument(raw);
    parsed = result.ok ? result.document : null;
    parsedFlows.set(raw, parsed);
  }
  return parsed;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
