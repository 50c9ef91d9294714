import type { NodeExecutor } from "@/flows/model/types";
import { callerHungUp } from "@/flows/nodes/outcomes";

/** Stores the digits as a string (leading zeros matter). Enough digits before a timeout still count as complete. */
export const executeCollectDigits: NodeExecutor<"collect_digits"> = async (ctx, node) => {
  const { config } = node;
  const prompt = config.prompt === undefined ? undefined : ctx.renderPrompt(config.prompt);
  const input = { prompt, variable: config.variable, min_length: config.min_length, max_length: config.max_length, timeout_s: config.timeout_s };
  const result = await ctx.channel.collectDigits({
    prompt,
    minLength: config.min_length,
    maxLength: config.max_length,
    terminator: config.terminator,
    timeoutMs: config.timeout_s * 1000,
  });
  if (result.status === "hangup") return callerHungUp(input);
  const digits = result.digits.slice(0, config.max_length);
  ctx.setVariable(config.variable, digits);
  const complete = digits.length >= config.min_length;
  return { kind: "port", port: complete ? "next" : "timeout", input, output: { status: result.status, digits } };
};
