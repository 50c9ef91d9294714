import type { NodeExecutor } from "@/flows/model/types";

export const executeGotoFlow: NodeExecutor<"goto_flow"> = async (_ctx, node) => ({
  kind: "goto_flow",
  flowId: node.config.flow_id,
  input: { flow_id: node.config.flow_id },
});
