import type { DialTarget, TimerHandle } from "@/flows/runtime/ports";
import type { LegId, RecordingFile } from "@/server/telephony/engine";
import type { Cdr, Disposition, LegEndReason } from "./cdr";
import type { Connection } from "./connection";

export type CallDirection = "inbound" | "outbound" | "internal";
export type CallStatus = "initiated" | "in_flow" | "ringing" | "answered" | "on_hold" | "ended";

/** Who is at the end of a leg. */
export interface PartyIdentity {
  extension: string | null;
  number: string;
  userId: string | null;
  name: string | null;
}

export interface RequestedTarget {
  extension?: string;
  number?: string;
  /** Ring groups: every extension rung at once or in turn. */
  extensions?: string[];
}

export function requestedFor(who: PartyIdentity): RequestedTarget {
  return who.extension !== null ? { extension: who.extension } : { number: who.number };
}

export function dialTargetOf(who: PartyIdentity): DialTarget {
  return who.extension !== null ? { type: "extension", number: who.extension } : { type: "external", number: who.number };
}

/** Reactions to engine events about one party's leg; each owner implements what it cares about. */
export interface PartyListener {
  onRinging?(party: Party): void;
  onAnswered?(party: Party): void;
  onRefused?(party: Party, status: "busy" | "failed", cause: string): void;
  onHangup?(party: Party, cause: string): void;
  onDtmf?(party: Party, digit: string): void;
  /** Another extension takes over this ringing party; false when this owner cannot hand it over. */
  pickUp?(party: Party, picker: PartyIdentity): boolean;
}

/** One engine leg taking part in a call: the anchor (the caller side) or someone rung for it. */
export class Party {
  state: "ringing" | "answered" | "ended";
  answeredAt: number | null = null;
  /** Runs once when the leg ends for any reason (agents start wrap-up here). */
  onEnd: ((party: Party) => void) | null = null;

  constructor(
    readonly legId: LegId,
    readonly call: Call,
    readonly who: PartyIdentity,
    public listener: PartyListener | null,
    readonly since: number,
    answered = false,
  ) {
    this.state = answered ? "answered" : "ringing";
  }
}

/** A blocking flow operation in progress; `abort` resolves it with hangup and releases what it holds. */
export interface Operation {
  abort(): void;
  onDigit?(digit: string): void;
}

/**
 * One CDR leg in the making: one stretch of the caller's journey towards
 * one requested party. Times are clock milliseconds.
 */
export interface LegRecord {
  id: string;
  sequence: number;
  startedAt: number;
  /** When the requested party (or, failing that, the IVR) answered. */
  answeredAt: number | null;
  endedAt: number | null;
  requested: RequestedTarget;
  answeredBy: PartyIdentity | null;
  transferredBy: PartyIdentity | null;
  forwardedFrom: string | null;
  queueId: string | null;
  agentId: string | null;
  /** A routing attempt (dial, queue, voicemail) used this leg; the next one opens a new leg. */
  attempted: boolean;
  /** How the last attempt in this leg ended; null while none concluded. */
  outcome: Disposition | null;
  ringMs: number;
  ringingSince: number | null;
  talkMs: number;
  talkingSince: number | null;
  endReason: LegEndReason;
  hangupCause: string | null;
  recordings: RecordingFile[];
}

export function newLegRecord(id: string, sequence: number, startedAt: number, requested: RequestedTarget): LegRecord {
  return {
    id,
    sequence,
    startedAt,
    answeredAt: null,
    endedAt: null,
    requested,
    answeredBy: null,
    transferredBy: null,
    forwardedFrom: null,
    queueId: null,
    agentId: null,
    attempted: false,
    outcome: null,
    ringMs: 0,
    ringingSince: null,
    talkMs: 0,
    talkingSince: null,
    endReason: "normal",
    hangupCause: null,
    recordings: [],
  };
}

export function startRinging(leg: LegRecord, now: number): void {
  if (leg.ringingSince === null) leg.ringingSince = now;
}

export function stopRinging(leg: LegRecord, now: number): void {
  if (leg.ringingSince === null) return;
  leg.ringMs += now - leg.ringingSince;
  leg.ringingSince = null;
}

export function startTalking(leg: LegRecord, now: number): void {
  if (leg.talkingSince === null) leg.talkingSince = now;
}

export function stopTalking(leg: LegRecord, now: number): void {
  if (leg.talkingSince === null) return;
  leg.talkMs += now - leg.talkingSince;
  leg.talkingSince = null;
}

/** The disposition a leg closes with when nothing set it explicitly. */
export function settledDisposition(leg: LegRecord): Disposition {
  if (leg.outcome) return leg.outcome;
  if (leg.answeredBy) return "answered";
  // Still ringing or queueing at the end: the caller gave up.
  if (leg.ringingSince !== null) return "cancelled";
  return leg.answeredAt !== null ? "answered" : "cancelled";
}

/** Stops the leg's clocks and fixes how it ended; the outcome is settled first, while a ringing leg still shows it rang. */
export function closeLegRecord(leg: LegRecord, now: number, reason: LegEndReason, cause: string, outcome: Disposition | null): void {
  leg.outcome = outcome ?? settledDisposition(leg);
  stopRinging(leg, now);
  stopTalking(leg, now);
  leg.endedAt = now;
  leg.endReason = reason;
  leg.hangupCause = cause;
}

export interface CallInit {
  callId: string;
  conversationId: string;
  direction: CallDirection;
  caller: { number: string; numberRaw: string; name: string | null };
  /** What the called parties' displays show; the caller unless overridden (click-to-call `caller_id`). */
  presentedCallerId: { number: string; name: string | null };
  calledNumber: string;
  flowId: string | null;
  startedAt: number;
  /** Outbound IVR calls: the anchor is the called party, so its hang-up is the callee's. */
  anchorIsCallee?: boolean;
}

/** A conversation and its state; call control mutates it, views and CDRs read it. */
export class Call {
  readonly callId: string;
  readonly conversationId: string;
  readonly direction: CallDirection;
  readonly caller: CallInit["caller"];
  readonly presentedCallerId: CallInit["presentedCallerId"];
  readonly calledNumber: string;
  readonly flowId: string | null;
  readonly startedAt: number;
  readonly anchorIsCallee: boolean;
  status: CallStatus = "initiated";
  /** First time a party (not the IVR) answered. */
  answeredAt: number | null = null;
  endedAt: number | null = null;
  /** The caller side: the party whose hang-up ends the call. Set right after construction. */
  anchor!: Party;
  /** Every live leg of the call, so the end can hang up all of them. */
  readonly parties = new Set<Party>();
  leg: LegRecord;
  /** Partial CDRs already sent for closed legs. */
  readonly closedLegs: Cdr[] = [];
  op: Operation | null = null;
  /** Who the anchor is bridged to, with transfer handling. */
  connection: Connection | null = null;
  /** Digits pressed while no collect was running (type-ahead). */
  digits = "";
  /** A call-level deadline, e.g. how long click-to-call rings the originating phone. */
  timer: TimerHandle | null = null;
  finalCdr: Cdr | null = null;

  constructor(init: CallInit, firstLeg: LegRecord) {
    this.callId = init.callId;
    this.conversationId = init.conversationId;
    this.direction = init.direction;
    this.caller = init.caller;
    this.presentedCallerId = init.presentedCallerId;
    this.calledNumber = init.calledNumber;
    this.flowId = init.flowId;
    this.startedAt = init.startedAt;
    this.anchorIsCallee = init.anchorIsCallee ?? false;
    this.leg = firstLeg;
  }

  get ended(): boolean {
    return this.endedAt !== null;
  }
}
