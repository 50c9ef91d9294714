import type { NodeExecutor } from "@/flows/model/types";
import type { LookupResult } from "@/flows/runtime/ports";

/** Asks the CRM, bounded by the runtime's deadline: a slow or broken CRM takes the `error` port, never holds the call. */
export const executeDataLookup: NodeExecutor<"data_lookup"> = async (ctx, node) => {
  const request = { outboundApiId: node.config.outbound_api_id, call: ctx.call, nodeId: node.id, variables: ctx.variables() };
  let result: LookupResult;
  try {
    const answer = await ctx.withDeadline(ctx.integration.lookup(request), ctx.integrationTimeoutMs);
    result = answer.status === "done" ? answer.value : { status: "error", error: "timeout" };
  } catch (error) {
    result = { status: "error", error: error instanceof Error ? error.message : String(error) };
  }
  ctx.setLookup(result);
  const port = result.status === "found" ? "found" : result.status === "not_found" ? "not_found" : "error";
  return { kind: "port", port, input: { outbound_api_id: node.config.outbound_api_id }, output: { ...result } };
};
