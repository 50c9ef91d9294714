import type { NodeExecutor } from "@/flows/model/types";
import { handOffToCrm } from "@/flows/nodes/outcomes";

export const executeNotify: NodeExecutor<"notify"> = async (ctx, node) => {
  const request = { outboundApiId: node.config.outbound_api_id, call: ctx.call, nodeId: node.id };
  const output = await handOffToCrm(ctx, node.id, () => ctx.integration.notify(request));
  return { kind: "port", port: "next", input: { outbound_api_id: node.config.outbound_api_id }, output };
};
