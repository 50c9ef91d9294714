import { settledDisposition, type Call, type CallDirection, type CallStatus, type LegRecord, type Party } from "./call";
import { isoTime, legRouting, type Cdr, type CdrParty, type Disposition, type LegEndReason } from "./cdr";

type NumberAndName = { number: string; name: string | null };

/** One leg as `GET /calls/{call_id}` lists it; `disposition` and `leg_end_reason` stay null while the leg is open. */
export interface LegView {
  leg_id: string;
  sequence: number;
  requested: Cdr["requested"];
  answered_by: CdrParty | null;
  transferred_by: CdrParty | null;
  forwarded_from: { extension: string } | null;
  queue_id: string | null;
  agent_id: string | null;
  started_at: string;
  answered_at: string | null;
  ended_at: string | null;
  disposition: Disposition | null;
  leg_end_reason: LegEndReason | null;
}

/** API.md `GET /calls/{call_id}`. */
export interface CallView {
  call_id: string;
  conversation_id: string;
  status: CallStatus;
  direction: CallDirection;
  caller: NumberAndName;
  callee: NumberAndName;
  flow_id: string | null;
  started_at: string;
  answered_at: string | null;
  ended_at: string | null;
  legs: LegView[];
}

/** API.md `GET /extensions/{ext}/calls` item. */
export interface ExtensionCallItem {
  call_id: string;
  conversation_id: string;
  direction: CallDirection;
  status: "ringing" | "answered" | "on_hold";
  caller: NumberAndName;
  callee: NumberAndName;
  started_at: string;
  answered_at: string | null;
}

export function callView(call: Call): CallView {
  const final = call.finalCdr;
  return {
    call_id: call.callId,
    conversation_id: call.conversationId,
    status: call.status,
    direction: call.direction,
    caller: { number: call.caller.number, name: call.caller.name },
    callee: calleeOf(call),
    flow_id: call.flowId,
    started_at: isoTime(call.startedAt),
    answered_at: final ? final.answered_at : call.answeredAt === null ? null : isoTime(call.answeredAt),
    ended_at: call.endedAt === null ? null : isoTime(call.endedAt),
    legs: [...call.closedLegs.map(legViewOfCdr), currentLegView(call.leg)],
  };
}

/** How one extension sees a call it takes part in. */
export function extensionCallItem(call: Call, party: Party): ExtensionCallItem {
  const status = party.state === "ringing" ? "ringing" : call.status === "on_hold" ? "on_hold" : "answered";
  return {
    call_id: call.callId,
    conversation_id: call.conversationId,
    direction: call.direction,
    status,
    caller: { number: call.caller.number, name: call.caller.name },
    callee: party === call.anchor ? calleeOf(call) : { number: party.who.number, name: party.who.name },
    started_at: isoTime(call.startedAt),
    answered_at: party.answeredAt === null ? null : isoTime(party.answeredAt),
  };
}

/** Whoever the caller talks to now, else who was asked for, else the number dialled. */
function calleeOf(call: Call): NumberAndName {
  const peer = call.connection?.peer;
  if (peer && peer.state === "answered") return { number: peer.who.number, name: peer.who.name };
  const { answeredBy, requested } = call.leg;
  if (answeredBy) return { number: answeredBy.number, name: answeredBy.name };
  return { number: requested.extension ?? requested.number ?? call.calledNumber, name: null };
}

/** A closed leg as the call view shows it, from its CDR. */
export function legViewOfCdr(cdr: Cdr): LegView {
  return {
    leg_id: cdr.leg_id,
    sequence: cdr.sequence,
    requested: cdr.requested,
    answered_by: cdr.answered_by,
    transferred_by: cdr.transferred_by,
    forwarded_from: cdr.forwarded_from,
    queue_id: cdr.queue_id,
    agent_id: cdr.agent_id,
    started_at: cdr.started_at,
    answered_at: cdr.answered_at,
    ended_at: cdr.ended_at,
    disposition: cdr.disposition,
    leg_end_reason: cdr.leg_end_reason,
  };
}

/** The call's latest leg, open or (once the call ended) closed. */
function currentLegView(leg: LegRecord): LegView {
  return {
    leg_id: leg.id,
    sequence: leg.sequence,
    ...legRouting(leg),
    ended_at: leg.endedAt === null ? null : isoTime(leg.endedAt),
    disposition: leg.endedAt === null ? null : settledDisposition(leg),
    leg_end_reason: leg.endedAt === null ? null : leg.endReason,
  };
}
