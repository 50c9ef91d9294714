import type { NodeExecutor } from "@/flows/model/types";
import { dialStep, renderDialTarget } from "@/flows/nodes/outcomes";

const DIALLABLE = /^\+?\d{3,15}$/;

export const executeForwardExternal: NodeExecutor<"forward_external"> = async (ctx, node) => {
  const rendered = renderDialTarget(ctx, node.config.number);
  const number = rendered.ok ? rendered.value.replace(/[ ()/-]/g, "") : "";
  const input = { number, ring_timeout_s: node.config.ring_timeout_s };
  if (!rendered.ok || !DIALLABLE.test(number)) {
    const error = rendered.ok ? `"${number}" is not a phone number` : rendered.error;
    return { kind: "port", port: "failed", input, output: { status: "failed", error } };
  }
  const result = await ctx.channel.dial({
    targets: [{ type: "external", number }],
    strategy: "simultaneous",
    ringTimeoutMs: node.config.ring_timeout_s * 1000,
    followForwarding: false,
  });
  return dialStep(result, input);
};
