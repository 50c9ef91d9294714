/** Small shared pieces for executors: mapping channel results to next steps, and CRM calls that never hold a call. */
import type { ExecutionContext, NextStep, TraceData } from "@/flows/model/types";
import type { DialResult } from "@/flows/runtime/ports";
import { TemplateError } from "@/flows/templates/errors";

export function callerHungUp(input: TraceData): NextStep {
  return { kind: "caller_hangup", input, output: { status: "hangup" } };
}

/** dial_extension / forward_external: each dial status is a port; answered means the caller was bridged. */
export function dialStep(result: DialResult, input: TraceData): NextStep {
  if (result.status === "hangup") return callerHungUp(input);
  const output: TraceData = { status: result.status };
  if (result.answeredBy) output.answered_by = result.answeredBy;
  return { kind: "port", port: result.status, bridged: result.status === "answered", input, output };
}

/** Renders a dial target; a template that cannot render (e.g. an unset variable) is a failed dial, not a broken call. */
export function renderDialTarget(ctx: ExecutionContext, template: string): { ok: true; value: string } | { ok: false; error: string } {
  try {
    return { ok: true, value: ctx.render(template).trim() };
  } catch (error) {
    if (error instanceof TemplateError) return { ok: false, error: error.message };
    throw error;
  }
}

/** notify / send_call_data: hand the request to the integration, bounded by the deadline; failures are logged, never fatal. */
export async function handOffToCrm(ctx: ExecutionContext, nodeId: string, operation: () => Promise<void>): Promise<TraceData> {
  try {
    const result = await ctx.withDeadline(operation(), ctx.integrationTimeoutMs);
    return result.status === "done" ? { queued: true } : { queued: false, error: "timeout" };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    ctx.logger.warn({ callId: ctx.call.id, nodeId, error: message }, "CRM hand-off failed");
    return { queued: false, error: message };
  }
}
