import type { NodeExecutor } from "@/flows/model/types";
import { callerHungUp } from "@/flows/nodes/outcomes";

export const executeQueue: NodeExecutor<"queue"> = async (ctx, node) => {
  const { config } = node;
  const holdPrompt = config.hold_prompt === undefined ? undefined : ctx.renderPrompt(config.hold_prompt);
  const input = { queue_id: config.queue_id, max_wait_s: config.max_wait_s, hold_prompt: holdPrompt };
  const result = await ctx.channel.enqueue({ queueId: config.queue_id, maxWaitMs: config.max_wait_s * 1000, holdPrompt });
  if (result.status === "hangup") return callerHungUp(input);
  return { kind: "port", port: result.status, bridged: result.status === "answered", input, output: { ...result } };
};
