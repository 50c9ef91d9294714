import { and, asc, eq, inArray, isNotNull } from "drizzle-orm";
import type { Db } from "../db/client";
import { callTraces, cdrs } from "../db/schema";
import type { Actor } from "@/lib/schemas/operations";
import { type CallTraceView, getCallTrace } from "./callHistory";

/**
 * A past call's trace with what the flow editor's replay banner says about
 * the call: who called which number, and when. The editor draws the steps
 * on the revision the call ran (`revision`; null when it ran a draft).
 */
export interface CallReplayView extends CallTraceView {
  caller_number: string | null;
  called_number: string | null;
  /** When the call started: its first CDR, else its first step, else when the trace was saved. */
  started_at: string;
}

export async function getCallReplay(db: Db, actor: Actor, callId: string): Promise<CallReplayView> {
  // The same visibility rule as the trace itself (an unknown or hidden call is "not found").
  const trace = await getCallTrace(db, actor, callId);
  // The conversation's first leg carries the original caller, the number dialled and the start time.
  const [first] = await db
    .select({ caller: cdrs.callerNumber, called: cdrs.calledNumber, startedAt: cdrs.startedAt })
    .from(cdrs)
    .where(eq(cdrs.conversationId, trace.conversation_id))
    .orderBy(asc(cdrs.startedAt), asc(cdrs.sequence))
    .limit(1);
  const [saved] = await db.select({ createdAt: callTraces.createdAt }).from(callTraces).where(eq(callTraces.callId, callId)).limit(1);
  const savedAt = saved?.createdAt;
  const firstStepAt = trace.steps.find((step) => typeof step?.at === "string")?.at;
  return {
    ...trace,
    caller_number: first?.caller ?? null,
    called_number: first?.called ?? null,
    started_at: first?.startedAt ?? firstStepAt ?? savedAt ?? new Date(0).toISOString(),
  };
}

/** The flow each of these calls ran, for those with a saved trace: the call history's "replay" links (call id → flow id). */
export async function replayableCalls(db: Db, callIds: string[]): Promise<Record<string, string>> {
  if (callIds.length === 0) return {};
  const rows = await db
    .select({ callId: callTraces.callId, flowId: callTraces.flowId })
    .from(callTraces)
    .where(and(inArray(callTraces.callId, callIds), isNotNull(callTraces.flowId)));
  return Object.fromEntries(rows.map((row) => [row.callId, row.flowId as string]));
}
