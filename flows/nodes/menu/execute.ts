import type { NodeExecutor } from "@/flows/model/types";
import { callerHungUp } from "@/flows/nodes/outcomes";

/**
 * Prompt, then one key. A valid key takes its port. Silence or a wrong key
 * uses up a try (a wrong key first hears invalid_prompt); after 1 + max_retries
 * tries the last kind of failure picks the port: `timeout` or `invalid`.
 */
export const executeMenu: NodeExecutor<"menu"> = async (ctx, node) => {
  const { config } = node;
  const prompt = ctx.renderPrompt(config.prompt);
  const invalidPrompt = config.invalid_prompt === undefined ? undefined : ctx.renderPrompt(config.invalid_prompt);
  const input = { prompt, options: config.options, timeout_s: config.timeout_s, max_retries: config.max_retries };
  const keys: (string | null)[] = [];
  let failure: "timeout" | "invalid" = "timeout";
  for (let attempt = 0; attempt <= config.max_retries; attempt++) {
    const result = await ctx.channel.collectDigits({ prompt, minLength: 1, maxLength: 1, terminator: "", timeoutMs: config.timeout_s * 1000 });
    if (result.status === "hangup") return callerHungUp(input);
    const key = result.digits.slice(0, 1);
    keys.push(key || null);
    if (key !== "" && config.options.some((option) => option === key)) return { kind: "port", port: key, input, output: { keys } };
    failure = key === "" ? "timeout" : "invalid";
    if (failure === "invalid" && invalidPrompt) {
      const played = await ctx.channel.play(invalidPrompt);
      if (played.status === "hangup") return callerHungUp(input);
    }
  }
  return { kind: "port", port: failure, input, output: { keys } };
};
