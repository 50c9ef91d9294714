import type { NodeExecutor } from "@/flows/model/types";
import { callerHungUp } from "@/flows/nodes/outcomes";

/** Anything but an answer (busy, failed, no answer) is `no_answer` for a group. */
export const executeRingGroup: NodeExecutor<"ring_group"> = async (ctx, node) => {
  const { config } = node;
  const input = { extensions: config.extensions, strategy: config.strategy, ring_timeout_s: config.ring_timeout_s };
  const result = await ctx.channel.dial({
    targets: config.extensions.map((number) => ({ type: "extension", number })),
    strategy: config.strategy,
    ringTimeoutMs: config.ring_timeout_s * 1000,
    followForwarding: false,
  });
  if (result.status === "hangup") return callerHungUp(input);
  const answered = result.status === "answered";
  const output = answered && result.answeredBy ? { status: result.status, answered_by: result.answeredBy } : { status: result.status };
  return { kind: "port", port: answered ? "answered" : "no_answer", bridged: answered, input, output };
};
