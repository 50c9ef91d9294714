import type { NodeExecutor } from "@/flows/model/types";
import { callerHungUp } from "@/flows/nodes/outcomes";

export const executeVoicemail: NodeExecutor<"voicemail"> = async (ctx, node) => {
  const { config } = node;
  const greeting = config.greeting === undefined ? undefined : ctx.renderPrompt(config.greeting);
  const input = { mailbox_extension: config.mailbox_extension, max_length_s: config.max_length_s, greeting };
  const result = await ctx.channel.voicemail({ mailboxExtension: config.mailbox_extension, greeting, maxLengthMs: config.max_length_s * 1000 });
  if (result.status === "hangup") return callerHungUp(input);
  return { kind: "port", port: "next", input, output: { status: result.status, recording_code: result.recordingCode ?? null } };
};
