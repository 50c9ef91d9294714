/**
 * The simulator: drive the simulated telephony engine the way real callers
 * and phones would (API.md `/simulator/...`), so a CRM developer can test
 * the whole loop without a phone. Also what the portal's simulator would call.
 */
import { eq } from "drizzle-orm";
import type { TraceStep } from "@/flows/runtime/context";
import type { Db } from "../db/client";
import { callTraces } from "../db/schema";
import type { Runtime } from "../runtime/runtime";
import type { CallView } from "../pbx/views";
import type { EndpointBehavior, TransferMode } from "../telephony/engine";
import { getCall } from "./calls";

/** A caller (external number or extension) dials `to`. */
export function placeSimulatedCall(runtime: Runtime, input: { from: string; to: string }): { callId: string } {
  return { callId: runtime.pbx.placeInboundCall(input).callId };
}

/** The caller presses keys. */
export function pressDigits(runtime: Runtime, callId: string, digits: string): void {
  runtime.pbx.sendDtmf(callId, digits);
}

/** The caller hangs up. */
export function hangUpCaller(runtime: Runtime, callId: string): void {
  runtime.pbx.hangupCall(callId);
}

export interface SimulatedCallView extends CallView {
  current_node_id: string | null;
  trace: TraceStep[];
}

/** The call plus where its flow is now and the steps it took (live while running, from SQLite once saved). */
export async function getSimulatedCall(db: Db, runtime: Runtime | null, callId: string): Promise<SimulatedCallView> {
  const call = await getCall(db, runtime, callId);
  const live = runtime?.live.get(callId);
  if (live) return { ...call, current_node_id: live.currentNodeId, trace: [...live.trace] };
  const [saved] = await db.select({ steps: callTraces.steps }).from(callTraces).where(eq(callTraces.callId, callId)).limit(1);
  return { ...call, current_node_id: null, trace: (saved?.steps ?? []) as TraceStep[] };
}

export function setPhoneBehavior(runtime: Runtime, extension: string, behavior: EndpointBehavior): void {
  runtime.pbx.setPhoneBehavior(extension, behavior);
}

export function answerPhone(runtime: Runtime, extension: string): void {
  runtime.pbx.answerPhone(extension);
}

export function hangUpPhone(runtime: Runtime, extension: string): void {
  runtime.pbx.hangupPhone(extension);
}

export function transferFromPhone(runtime: Runtime, extension: string, request: { to: string; mode: TransferMode }): void {
  runtime.pbx.transfer(extension, request);
}
