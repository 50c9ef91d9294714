import { monotonicFactory } from "ulid";
import type { Clock, Logger } from "@/flows/runtime/ports";
import type { LegId, TelephonyEngine } from "@/server/telephony/engine";
import {
  Call,
  closeLegRecord,
  newLegRecord,
  Party,
  stopRinging,
  type CallInit,
  type Operation,
  type PartyIdentity,
  type PartyListener,
  type RequestedTarget,
  type LegRecord,
} from "./call";
import { cdrParty, finalCdr, isoTime, legCdr, type Disposition, type LegEndReason, type RecordingUrl } from "./cdr";
import type { Directory } from "./directory";
import type { CallPartyEventData, PbxEvent } from "./events";

export interface CallControlDeps {
  clock: Clock;
  engine: TelephonyEngine;
  directory: Directory;
  logger: Logger;
  emit: (event: PbxEvent) => void;
  recordingUrl: RecordingUrl;
  /** How many ended calls stay readable through `getCall`. */
  recentCallsLimit: number;
}

const TYPE_AHEAD_LIMIT = 32;

/**
 * The shared state and primitive moves of call control: calls, their parties
 * (engine legs), leg records and CDR emission. Operations (dial, queue,
 * media, transfers) are built from these moves.
 */
export class CallControl {
  readonly clock: Clock;
  readonly engine: TelephonyEngine;
  readonly directory: Directory;
  readonly logger: Logger;
  readonly emit: (event: PbxEvent) => void;
  readonly recordingUrl: RecordingUrl;
  readonly calls = new Map<string, Call>();
  readonly parties = new Map<LegId, Party>();
  private readonly partiesByExtension = new Map<string, Set<Party>>();
  private readonly recentlyEnded = new Map<string, Call>();
  private readonly recentCallsLimit: number;
  private readonly ulid = monotonicFactory();

  /** The caller side's reactions: hanging up ends the call, digits go to the running operation. */
  readonly anchorListener: PartyListener = {
    onHangup: (party) => this.endCall(party.call, party.call.anchorIsCallee ? "callee_hangup" : "caller_hangup"),
    onDtmf: (party, digit) => this.anchorDigit(party.call, digit),
  };

  constructor(deps: CallControlDeps) {
    this.clock = deps.clock;
    this.engine = deps.engine;
    this.directory = deps.directory;
    this.logger = deps.logger;
    this.emit = deps.emit;
    this.recordingUrl = deps.recordingUrl;
    this.recentCallsLimit = deps.recentCallsLimit;
  }

  newId(): string {
    return this.ulid(this.clock.now());
  }

  now(): number {
    return this.clock.now();
  }

  // ── calls and parties ───────────────────────────────────────────

  createCall(init: Omit<CallInit, "callId" | "conversationId" | "startedAt">, requested: RequestedTarget): Call {
    const now = this.now();
    const call = new Call({ ...init, callId: this.newId(), conversationId: this.newId(), startedAt: now }, newLegRecord(this.newId(), 1, now, requested));
    this.calls.set(call.callId, call);
    return call;
  }

  /** Makes an existing leg the call's anchor (an incoming caller, or an originated leg that answered). */
  adoptAnchor(call: Call, legId: LegId, who: PartyIdentity, answered: boolean): Party {
    const party = new Party(legId, call, who, this.anchorListener, this.now(), answered);
    call.anchor = party;
    this.register(party);
    return party;
  }

  /** Rings someone for this call; the outcome reaches `listener`. Their display shows the call's presented caller unless `callerId` says otherwise. */
  ring(call: Call, who: PartyIdentity, listener: PartyListener, options: { autoAnswer?: boolean; callerId?: { number: string; name: string | null } } = {}): Party {
    const legId = this.engine.originate({
      endpoint: who.extension !== null ? { kind: "extension", extension: who.extension } : { kind: "external", number: who.number },
      callerId: options.callerId ?? call.presentedCallerId,
      autoAnswer: options.autoAnswer,
      // Unset while the call's first leg is being rung (click-to-call, IVR calls).
      alongside: (call.anchor as Party | undefined)?.legId,
    });
    const party = new Party(legId, call, who, listener, this.now());
    this.register(party);
    return party;
  }

  /** Hangs up a party's leg (cancels it if ringing). */
  drop(party: Party, cause: string): void {
    if (party.state === "ended") return;
    this.engine.hangup(party.legId, cause);
    this.partyGone(party);
  }

  /** Bookkeeping once a leg is over, however it ended. */
  partyGone(party: Party): void {
    if (party.state === "ended") return;
    party.state = "ended";
    this.parties.delete(party.legId);
    party.call.parties.delete(party);
    if (party.who.extension !== null) this.partiesByExtension.get(party.who.extension)?.delete(party);
    party.onEnd?.(party);
  }

  partiesAt(extension: string): Iterable<Party> {
    return this.partiesByExtension.get(extension) ?? [];
  }

  /** Answers the caller's leg the first time the flow needs audio; a dial alone leaves the caller hearing ringback. */
  answerAnchor(call: Call): void {
    const anchor = call.anchor;
    if (anchor.state !== "ringing") return;
    this.engine.answer(anchor.legId);
    anchor.state = "answered";
    anchor.answeredAt = this.now();
    call.leg.answeredAt ??= anchor.answeredAt;
  }

  /** An enabled extension, or an external number that looks dialable; null for anything else. */
  identify(number: string): PartyIdentity | null {
    if (this.directory.extension(number)) return this.extensionIdentity(number);
    return /^\+?\d{7,15}$/.test(number) ? this.externalIdentity(number) : null;
  }

  extensionIdentity(number: string): PartyIdentity | null {
    const extension = this.directory.extension(number);
    if (!extension?.enabled) return null;
    return { extension: number, number, userId: extension.userId, name: extension.userName };
  }

  externalIdentity(number: string): PartyIdentity {
    return { extension: null, number, userId: null, name: this.directory.callerName(number) };
  }

  // ── operations ──────────────────────────────────────────────────

  beginOp(call: Call, op: Operation): void {
    call.op = op;
  }

  /** Clears `op` if it is still the call's operation; false when it was already aborted. */
  finishOp(call: Call, op: Operation): boolean {
    if (call.op !== op) return false;
    call.op = null;
    if (call.status !== "ended") call.status = "in_flow";
    return true;
  }

  private abortOp(call: Call): void {
    const op = call.op;
    call.op = null;
    op?.abort();
  }

  private anchorDigit(call: Call, digit: string): void {
    if (call.op?.onDigit) call.op.onDigit(digit);
    else if (!call.connection && call.digits.length < TYPE_AHEAD_LIMIT) call.digits += digit;
  }

  // ── legs and CDRs ───────────────────────────────────────────────

  /** Starts a routing attempt; a leg that already had one is closed first, so each leg records one attempt. */
  beginAttempt(call: Call, requested: RequestedTarget): LegRecord {
    if (call.leg.attempted) this.rollLeg(call, "normal", "normal_clearing", null, { requested });
    const leg = call.leg;
    leg.attempted = true;
    leg.requested = requested;
    leg.outcome = null;
    return leg;
  }

  /** Closes the current leg (emitting its partial CDR) and opens the next one. */
  rollLeg(call: Call, reason: LegEndReason, cause: string, outcome: Disposition | null, next: Partial<LegRecord>): LegRecord {
    const now = this.now();
    const leg = call.leg;
    closeLegRecord(leg, now, reason, cause, outcome);
    const cdr = legCdr(call, leg, this.newId(), this.recordingUrl);
    call.closedLegs.push(cdr);
    call.leg = { ...newLegRecord(this.newId(), leg.sequence + 1, now, leg.requested), ...next };
    this.emit({ type: "leg.closed", cdr });
    return call.leg;
  }

  /** A party rings for the call; extensions' ringing is announced (incoming-call notifications). */
  partyRinging(call: Call, who: PartyIdentity, options: { keepStatus?: boolean } = {}): void {
    if (!options.keepStatus) call.status = "ringing";
    if (who.extension !== null) this.emit({ type: "call.ringing", data: this.partyEventData(call, who) });
  }

  /** Records that a party answered in the current leg. */
  partyAnswered(call: Call, who: PartyIdentity): void {
    const now = this.now();
    const leg = call.leg;
    stopRinging(leg, now);
    leg.answeredAt = now;
    leg.answeredBy = who;
    leg.outcome = "answered";
    call.answeredAt ??= now;
    this.emit({ type: "call.answered", data: this.partyEventData(call, who) });
  }

  partyEventData(call: Call, who: PartyIdentity): CallPartyEventData {
    const leg = call.leg;
    return {
      call_id: call.callId,
      conversation_id: call.conversationId,
      leg_id: leg.id,
      direction: call.direction,
      caller: { number: call.caller.number, name: call.caller.name },
      called_number: call.calledNumber,
      callee: cdrParty(who)!,
      queue_id: leg.queueId,
      started_at: isoTime(call.startedAt),
      answered_at: leg.answeredBy === who && leg.answeredAt !== null ? isoTime(leg.answeredAt) : null,
    };
  }

  /**
   * Ends the conversation: resolves the running operation with hangup, hangs
   * up every leg, closes the last leg and emits the final CDR synchronously.
   * Idempotent.
   */
  endCall(call: Call, cause: string, disposition?: Disposition): void {
    if (call.ended) return;
    const now = this.now();
    call.endedAt = now;
    call.status = "ended";
    if (call.timer) this.clock.clearTimeout(call.timer);
    call.timer = null;
    this.abortOp(call);
    call.connection?.abort();
    call.connection = null;
    for (const party of [...call.parties]) this.drop(party, cause);
    closeLegRecord(call.leg, now, "normal", cause, disposition ?? null);
    call.finalCdr = finalCdr(call, this.newId(), this.recordingUrl);
    this.calls.delete(call.callId);
    this.rememberEnded(call);
    this.emit({ type: "conversation.ended", cdr: call.finalCdr });
  }

  findCall(callId: string): Call | undefined {
    return this.calls.get(callId) ?? this.recentlyEnded.get(callId);
  }

  private register(party: Party): void {
    this.parties.set(party.legId, party);
    party.call.parties.add(party);
    const extension = party.who.extension;
    if (extension === null) return;
    let atExtension = this.partiesByExtension.get(extension);
    if (!atExtension) {
      atExtension = new Set();
      this.partiesByExtension.set(extension, atExtension);
    }
    atExtension.add(party);
  }

  private rememberEnded(call: Call): void {
    call.op = null;
    this.recentlyEnded.set(call.callId, call);
    if (this.recentlyEnded.size > this.recentCallsLimit) {
      const oldest = this.recentlyEnded.keys().next().value;
      if (oldest !== undefined) this.recentlyEnded.delete(oldest);
    }
  }
}
