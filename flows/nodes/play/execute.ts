import type { NodeExecutor } from "@/flows/model/types";
import { callerHungUp } from "@/flows/nodes/outcomes";

export const executePlay: NodeExecutor<"play"> = async (ctx, node) => {
  const prompt = ctx.renderPrompt(node.config.text, node.config.language);
  if (prompt.audioId === undefined && node.config.audio_id !== undefined) prompt.audioId = node.config.audio_id;
  const input = { prompt };
  const result = await ctx.channel.play(prompt);
  if (result.status === "hangup") return callerHungUp(input);
  return { kind: "port", port: "next", input, output: { status: result.status } };
};
