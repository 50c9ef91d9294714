import { EXTENSION_PATTERN } from "@/flows/model/fields";
import type { NodeExecutor } from "@/flows/model/types";
import { dialStep, renderDialTarget } from "@/flows/nodes/outcomes";

/** The extension may be a template ({{ lookup.extension }}); an empty or malformed result takes `failed` without dialling. */
export const executeDialExtension: NodeExecutor<"dial_extension"> = async (ctx, node) => {
  const rendered = renderDialTarget(ctx, node.config.extension);
  const extension = rendered.ok ? rendered.value : "";
  const input = { extension, ring_timeout_s: node.config.ring_timeout_s };
  if (!rendered.ok || !EXTENSION_PATTERN.test(extension)) {
    const error = rendered.ok ? `"${extension}" is not an extension` : rendered.error;
    return { kind: "port", port: "failed", input, output: { status: "failed", error } };
  }
  const result = await ctx.channel.dial({
    targets: [{ type: "extension", number: extension }],
    strategy: "simultaneous",
    ringTimeoutMs: node.config.ring_timeout_s * 1000,
    followForwarding: true,
  });
  return dialStep(result, input);
};
