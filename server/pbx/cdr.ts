import type { RecordingFile } from "@/server/telephony/engine";
import { settledDisposition, type Call, type CallDirection, type LegRecord, type PartyIdentity, type RequestedTarget } from "./call";

/** Field names and values exactly as API.md §CDR; extra fields (`call_id`, `flow_id`) are additions. */
export type Disposition = "answered" | "no_answer" | "busy" | "failed" | "cancelled" | "voicemail";
export type LegEndReason = "normal" | "transferred_blind" | "transferred_attended" | "picked_up" | "forwarded" | "queue_timeout";

export interface CdrParty {
  extension: string | null;
  user_id: string | null;
  /** The number reached (E.164 for external parties). */
  number: string;
}

/**
 * A recording as the CDR links it: the stored WAV with its size and hash, or
 * (for an end-of-call API that asks for mp3) a link to the mp3, which is
 * encoded on first fetch, so its size and hash are not known yet.
 */
export type CdrRecording = { code: string; url: string; duration_s: number } & (
  | { format: "wav"; size_bytes: number; sha256: string }
  | { format: "mp3"; size_bytes: null; sha256: null }
);

export interface Cdr {
  cdr_id: string;
  conversation_id: string;
  call_id: string;
  leg_id: string;
  sequence: number;
  is_final: boolean;
  leg_end_reason: LegEndReason;
  direction: CallDirection;
  caller: { number: string; name: string | null };
  called_number: string;
  flow_id: string | null;
  requested: RequestedTarget;
  answered_by: CdrParty | null;
  transferred_by: CdrParty | null;
  forwarded_from: { extension: string } | null;
  queue_id: string | null;
  agent_id: string | null;
  started_at: string;
  answered_at: string | null;
  ended_at: string;
  duration_s: number;
  talk_time_s: number;
  ring_time_s: number;
  disposition: Disposition;
  hangup_cause: string;
  recordings: CdrRecording[];
  /** On the final record: the partial CDRs already sent for legs closed earlier. */
  legs?: Cdr[];
}

export type RecordingUrl = (code: string) => string;

export const defaultRecordingUrl: RecordingUrl = (code) => `/api/v1/recordings/${code}`;

export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** Durations keep millisecond precision. */
export function seconds(ms: number): number {
  return Math.round(ms) / 1000;
}

export function cdrParty(who: PartyIdentity | null): CdrParty | null {
  return who ? { extension: who.extension, user_id: who.userId, number: who.number } : null;
}

export function cdrRecording(file: RecordingFile, recordingUrl: RecordingUrl): CdrRecording {
  return {
    code: file.code,
    url: recordingUrl(file.code),
    duration_s: seconds(file.durationMs),
    format: file.format,
    size_bytes: file.sizeBytes,
    sha256: file.sha256,
  };
}

/** The partial CDR of a closed leg. The leg must have `endedAt` set. */
/** Who was asked for, who answered, and when: the same fields in a leg's CDR and in the live call view. */
export function legRouting(leg: LegRecord) {
  return {
    requested: leg.requested,
    answered_by: cdrParty(leg.answeredBy),
    transferred_by: cdrParty(leg.transferredBy),
    forwarded_from: leg.forwardedFrom ? { extension: leg.forwardedFrom } : null,
    queue_id: leg.queueId,
    agent_id: leg.agentId,
    started_at: isoTime(leg.startedAt),
    answered_at: leg.answeredAt === null ? null : isoTime(leg.answeredAt),
  };
}

export function legCdr(call: Call, leg: LegRecord, cdrId: string, recordingUrl: RecordingUrl): Cdr {
  const endedAt = leg.endedAt ?? leg.startedAt;
  return {
    cdr_id: cdrId,
    conversation_id: call.conversationId,
    call_id: call.callId,
    leg_id: leg.id,
    sequence: leg.sequence,
    is_final: false,
    leg_end_reason: leg.endReason,
    direction: call.direction,
    caller: { number: call.caller.number, name: call.caller.name },
    called_number: call.calledNumber,
    flow_id: call.flowId,
    ...legRouting(leg),
    ended_at: isoTime(endedAt),
    duration_s: seconds(endedAt - leg.startedAt),
    talk_time_s: seconds(leg.talkMs),
    ring_time_s: seconds(leg.ringMs),
    disposition: settledDisposition(leg),
    hangup_cause: leg.hangupCause ?? "normal_clearing",
    recordings: leg.recordings.map((file) => cdrRecording(file, recordingUrl)),
  };
}

/**
 * The conversation's final CDR: routing fields from the last leg, times and
 * durations over the whole conversation, all recordings, and the partial
 * CDRs sent earlier. A one-leg call's final CDR equals that leg's record.
 */
export function finalCdr(call: Call, cdrId: string, recordingUrl: RecordingUrl): Cdr {
  const last = legCdr(call, call.leg, cdrId, recordingUrl);
  const earlier = call.closedLegs;
  const all = [...earlier, last];
  const endedAt = call.endedAt ?? call.leg.endedAt ?? call.startedAt;
  const lastAnswering = [...all].reverse().find((leg) => leg.answered_by !== null);
  const sum = (pick: (cdr: Cdr) => number) => seconds(all.reduce((total, cdr) => total + pick(cdr) * 1000, 0));
  // A party's first answer; failing that, the IVR's.
  const answeredAt = call.answeredAt !== null ? isoTime(call.answeredAt) : (all.find((leg) => leg.answered_at !== null)?.answered_at ?? null);
  return {
    ...last,
    is_final: true,
    answered_by: last.answered_by ?? lastAnswering?.answered_by ?? null,
    started_at: isoTime(call.startedAt),
    answered_at: answeredAt,
    ended_at: isoTime(endedAt),
    duration_s: seconds(endedAt - call.startedAt),
    talk_time_s: sum((cdr) => cdr.talk_time_s),
    ring_time_s: sum((cdr) => cdr.ring_time_s),
    disposition: conversationDisposition(all),
    recordings: all.flatMap((cdr) => cdr.recordings),
    legs: earlier,
  };
}

/** Answered if a party answered anywhere, else voicemail if one was left, else how the last leg ended. */
function conversationDisposition(legs: Cdr[]): Disposition {
  if (legs.some((leg) => leg.disposition === "answered" && leg.answered_by !== null)) return "answered";
  if (legs.some((leg) => leg.disposition === "voicemail")) return "voicemail";
  return legs[legs.length - 1].disposition;
}

/** What the persistence side remembers of a call that was open when the process stopped. */
export interface OpenCallSnapshot {
  call_id: string;
  conversation_id: string;
  direction: CallDirection;
  caller: { number: string; name: string | null };
  called_number: string;
  flow_id: string | null;
  started_at: string;
  answered_at?: string | null;
  /** Last moment the call was known alive; the end time defaults to the restart. */
  last_seen_at?: string | null;
}

/** The final CDR for a call cut off by a crash: `failed` / `system_restart`. */
export function interruptedCallCdr(snapshot: OpenCallSnapshot, ids: { cdrId: string; legId: string }, restartedAt: number): Cdr {
  const endedAt = snapshot.last_seen_at ?? isoTime(restartedAt);
  const durationMs = Math.max(0, Date.parse(endedAt) - Date.parse(snapshot.started_at));
  const answeredAt = snapshot.answered_at ?? null;
  return {
    cdr_id: ids.cdrId,
    conversation_id: snapshot.conversation_id,
    call_id: snapshot.call_id,
    leg_id: ids.legId,
    sequence: 1,
    is_final: true,
    leg_end_reason: "normal",
    direction: snapshot.direction,
    caller: snapshot.caller,
    called_number: snapshot.called_number,
    flow_id: snapshot.flow_id,
    requested: { number: snapshot.called_number },
    answered_by: null,
    transferred_by: null,
    forwarded_from: null,
    queue_id: null,
    agent_id: null,
    started_at: snapshot.started_at,
    answered_at: answeredAt,
    ended_at: endedAt,
    duration_s: seconds(durationMs),
    talk_time_s: answeredAt ? seconds(Math.max(0, Date.parse(endedAt) - Date.parse(answeredAt))) : 0,
    ring_time_s: 0,
    disposition: "failed",
    hangup_cause: "system_restart",
    recordings: [],
    legs: [],
  };
}
