import type { NodeExecutor } from "@/flows/model/types";

/** First rule whose expression holds wins; none → `else`. */
export const executeCondition: NodeExecutor<"condition"> = async (ctx, node) => {
  for (const rule of node.config.rules) {
    if (ctx.evaluate(rule.when)) return { kind: "port", port: rule.id, output: { matched: rule.id } };
  }
  return { kind: "port", port: "else", output: { matched: null } };
};
