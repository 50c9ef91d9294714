/** Runs a single node's executor against the doubles, for the per-node execute tests. */
import type { FlowNodeOf, NextStep, NodeExecutor, NodeType } from "@/flows/model/types";
import { nodeDefinitions } from "@/flows/nodes/definitions";
import { nodeExecutors } from "@/flows/nodes/executors";
import { DEFAULT_LIMITS } from "@/flows/runtime/context";
import { CallExecution } from "@/flows/runtime/execution";
import { type CallerScript, ScriptedCallChannel } from "@/flows/runtime/testing/scriptedCallChannel";
import { type TestRuntime, createTestRuntime, testCall } from "@/flows/runtime/testing/testRuntime";

export interface NodeRun {
  next: NextStep;
  channel: ScriptedCallChannel;
  execution: CallExecution;
  runtime: TestRuntime;
}

export async function runNode<T extends NodeType>(
  type: T,
  config: unknown,
  options: { script?: CallerScript; runtime?: TestRuntime; variables?: Record<string, unknown> } = {},
): Promise<NodeRun> {
  const runtime = options.runtime ?? createTestRuntime();
  const channel = new ScriptedCallChannel({ clock: runtime.clock, ...options.script });
  const execution = new CallExecution(testCall(), channel, runtime.ctx, DEFAULT_LIMITS.integrationTimeoutMs, "flow-main");
  execution.mergeVariables(options.variables);
  const node = {
    id: `${type}-1`,
    type,
    version: 1,
    position: { x: 0, y: 0 },
    config: nodeDefinitions[type].configSchema.parse(config),
  } as FlowNodeOf<T>;
  const executor = nodeExecutors[type] as NodeExecutor<T>;
  return { next: await executor(execution, node), channel, execution, runtime };
}

/** The port a step leads to, or its kind when it leads to no port. */
export function outcomeOf(next: NextStep): string {
  return next.kind === "port" ? next.port : next.kind;
}
