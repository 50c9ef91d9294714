/**
 * Starting and reading calls for the API (and later the portal): thin
 * wrappers over the runtime's PBX that add the checks the PBX leaves to its
 * callers (published flows, known extensions) and read ended calls back from
 * their final CDR once the PBX has forgotten them.
 */
import { and, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { cdrs } from "../db/schema";
import type { Runtime } from "../runtime/runtime";
import type { StartedCall } from "../pbx/pbx";
import type { Cdr } from "../pbx/cdr";
import { legViewOfCdr, type CallView, type ExtensionCallItem } from "../pbx/views";
import { loadPublishedDocument } from "./flows";
import { ServiceError, notFound } from "./errors";

export interface ClickToCallInput {
  fromExtension: string;
  to: string;
  callerId?: string;
  autoAnswer?: boolean;
  timeoutS?: number;
}

/** Rings the extension first; when it answers, dials `to`. */
export function startClickToCall(runtime: Runtime, input: ClickToCallInput): StartedCall {
  return runtime.pbx.clickToCall(input);
}

export interface IvrCallInput {
  to: string;
  flowId: string;
  callerId?: string;
  variables?: Record<string, unknown>;
}

/** Dials `to` and runs the flow's published revision once answered. */
export async function startIvrCall(db: Db, runtime: Runtime, input: IvrCallInput): Promise<StartedCall> {
  if (!(await loadPublishedDocument(db, input.flowId))) {
    throw new ServiceError("invalid", `Flow ${input.flowId} does not exist or has never been published`, { field: "flowId", messageKey: "errors.flowNotPublished" });
  }
  return runtime.pbx.originateIvrCall(input);
}

/** A call in progress or ended recently (from the PBX of the runtime that has it, if any), else an ended one rebuilt from its final CDR. */
export async function getCall(db: Db, runtime: Runtime | null, callId: string): Promise<CallView> {
  const live = runtime?.pbx.getCall(callId);
  if (live) return live;
  const [row] = await db
    .select({ document: cdrs.document })
    .from(cdrs)
    .where(and(eq(cdrs.callId, callId), eq(cdrs.isFinal, true)))
    .limit(1);
  if (!row) throw notFound("Call", callId);
  return callViewOfFinalCdr(row.document as Cdr);
}

export function callsOfExtension(runtime: Runtime, extension: string): ExtensionCallItem[] {
  if (!runtime.directory.extension(extension)) throw notFound("Extension", extension);
  return runtime.pbx.callsOfExtension(extension);
}


export function callViewOfFinalCdr(cdr: Cdr): CallView {
  const partials = cdr.legs ?? [];
  const lastLeg = partials.length > 0 ? { ...cdr, started_at: lastLegStart(cdr) } : cdr;
  const callee = cdr.answered_by ?? { number: cdr.requested.extension ?? cdr.requested.number ?? cdr.called_number };
  return {
    call_id: cdr.call_id,
    conversation_id: cdr.conversation_id,
    status: "ended",
    direction: cdr.direction,
    caller: cdr.caller,
    callee: { number: callee.number, name: null },
    flow_id: cdr.flow_id,
    started_at: cdr.started_at,
    answered_at: cdr.answered_at,
    ended_at: cdr.ended_at,
    legs: [...partials.map(legViewOfCdr), legViewOfCdr(lastLeg)],
  };
}

/** The final CDR carries conversation-wide times; its own leg began where the previous one ended. */
function lastLegStart(cdr: Cdr): string {
  const partials = cdr.legs ?? [];
  return partials[partials.length - 1]?.ended_at ?? cdr.started_at;
}
