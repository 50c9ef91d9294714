import type { ResolvedPrompt, TimerHandle } from "@/flows/runtime/ports";
import type { TransferMode } from "@/server/telephony/engine";
import { dialTargetOf, requestedFor, startTalking, stopTalking, type Call, type Party, type PartyIdentity, type PartyListener } from "./call";
import type { CallControl } from "./callControl";
import { cdrParty, isoTime } from "./cdr";
import { DialAttempt } from "./dialer";
import { playOnLoop } from "./media";

const TRANSFER_RING_MS = 30_000;
const HOLD_PROMPT: ResolvedPrompt = { text: "Please hold, your call is being transferred.", language: "en" };

interface Consultation {
  transferor: Party;
  target: Party;
  startedAt: number;
  answeredAt: number | null;
  timer: TimerHandle | null;
}

/**
 * The caller (the call's anchor) bridged to a peer, and what the peer's
 * side can do to it: hang up (the connection ends, the flow goes on) or
 * transfer it, blind or attended. Talk time and recording are accounted
 * to the current leg here.
 */
export class Connection implements PartyListener {
  peer: Party;
  private consult: Consultation | null = null;
  private transferAttempt: DialAttempt | null = null;
  private recording = false;
  private over = false;

  constructor(
    private readonly control: CallControl,
    private readonly call: Call,
    peer: Party,
    /** The bridged conversation ended with the caller still there. */
    private readonly onEnd: () => void,
  ) {
    this.peer = peer;
  }

  start(): void {
    this.call.connection = this;
    this.connect(this.peer);
  }

  /** Whether `by` may transfer now: a side of the bridge, or the transferor completing its consultation. */
  canTransfer(by: Party): boolean {
    if (this.over || this.transferAttempt) return false;
    if (this.consult) return by === this.consult.transferor && this.consult.answeredAt !== null;
    return by === this.peer || by === this.call.anchor;
  }

  transfer(by: Party, target: PartyIdentity, mode: TransferMode): void {
    if (!this.canTransfer(by)) return;
    if (this.consult) return this.completeAttended();
    if (mode === "blind") this.blind(by, target);
    else this.attended(by, target);
  }

  /** The call is ending: releases everything without reporting. Idempotent. */
  abort(): void {
    if (this.over) return;
    this.over = true;
    this.transferAttempt?.cancel();
    this.transferAttempt = null;
    if (this.consult) this.dropConsult();
    this.disconnect();
    this.call.connection = null;
  }

  onRinging(party: Party): void {
    if (party === this.consult?.target) this.control.partyRinging(this.call, party.who, { keepStatus: true });
  }

  onAnswered(party: Party): void {
    const consult = this.consult;
    if (party !== consult?.target) return;
    this.clearConsultTimer(consult);
    consult.answeredAt = this.control.now();
    this.control.engine.bridge(consult.transferor.legId, party.legId);
  }

  onRefused(party: Party): void {
    if (party === this.consult?.target) this.consultFailed();
  }

  onHangup(party: Party): void {
    const consult = this.consult;
    if (consult && party === consult.target) return this.consultFailed();
    if (party !== this.peer) return;
    if (!consult) {
      this.disconnect();
      return this.end();
    }
    // The transferor hung up mid-consultation: that completes the transfer once the target answered.
    if (consult.answeredAt !== null) return this.completeAttended();
    this.dropConsult();
    this.end();
  }

  private connect(peer: Party): void {
    const { control, call } = this;
    this.peer = peer;
    peer.listener = this;
    control.answerAnchor(call);
    control.engine.bridge(call.anchor.legId, peer.legId);
    call.status = "answered";
    call.digits = "";
    startTalking(call.leg, control.now());
    if (this.shouldRecord(peer)) {
      control.engine.startRecording(call.anchor.legId);
      this.recording = true;
    }
  }

  /** Stops talk time and recording into the current leg and separates the two sides. */
  private disconnect(): void {
    const { control, call } = this;
    stopTalking(call.leg, control.now());
    if (this.recording) {
      this.recording = false;
      const file = control.engine.stopRecording(call.anchor.legId);
      if (file) call.leg.recordings.push(file);
    }
    control.engine.unbridge(call.anchor.legId);
  }

  private blind(by: Party, target: PartyIdentity): void {
    const { control, call } = this;
    this.disconnect();
    this.makeAnchor(by === call.anchor ? this.peer : call.anchor);
    control.drop(by, "transferred");
    control.rollLeg(call, "transferred_blind", "transferred", "answered", {
      requested: requestedFor(target),
      transferredBy: by.who,
      attempted: true,
    });
    this.announceTransfer(by, target, "blind");
    const request = { targets: [dialTargetOf(target)], strategy: "simultaneous" as const, ringTimeoutMs: TRANSFER_RING_MS, followForwarding: true };
    this.transferAttempt = new DialAttempt(
      control,
      call,
      request,
      (outcome) => {
        this.transferAttempt = null;
        if (outcome.status === "answered") this.connect(outcome.party);
        else this.end();
      },
      true,
    );
    this.transferAttempt.start();
  }

  /** The caller waits on hold while the transferor consults the target; the transfer completes when the transferor hangs up or transfers again. */
  private attended(by: Party, target: PartyIdentity): void {
    const { control, call } = this;
    this.disconnect();
    this.makeAnchor(by === call.anchor ? this.peer : call.anchor);
    this.peer = by;
    by.listener = this;
    call.status = "on_hold";
    playOnLoop(control, call.anchor.legId, HOLD_PROMPT, () => this.consult !== null);
    const consult: Consultation = {
      transferor: by,
      target: control.ring(call, target, this),
      startedAt: control.now(),
      answeredAt: null,
      timer: null,
    };
    consult.timer = control.clock.setTimeout(() => {
      consult.timer = null;
      this.consultFailed();
    }, TRANSFER_RING_MS);
    this.consult = consult;
  }

  private completeAttended(): void {
    const { control, call } = this;
    const consult = this.consult!;
    this.consult = null;
    this.clearConsultTimer(consult);
    const { transferor, target } = consult;
    const answeredAt = consult.answeredAt ?? control.now();
    control.rollLeg(call, "transferred_attended", "transferred", "answered", {
      requested: requestedFor(target.who),
      transferredBy: transferor.who,
      attempted: true,
      startedAt: consult.startedAt,
      answeredAt,
      answeredBy: target.who,
      outcome: "answered",
      ringMs: answeredAt - consult.startedAt,
    });
    control.drop(transferor, "transferred");
    this.announceTransfer(transferor, target.who, "attended");
    control.emit({ type: "call.answered", data: control.partyEventData(call, target.who) });
    this.connect(target);
  }

  /** The consultation target did not answer or left: the caller goes back to the transferor. */
  private consultFailed(): void {
    this.dropConsult();
    if (this.peer.state === "answered") this.connect(this.peer);
    else this.end();
  }

  private dropConsult(): void {
    const consult = this.consult;
    if (!consult) return;
    this.consult = null;
    this.clearConsultTimer(consult);
    this.control.drop(consult.target, "originator_cancel");
    this.control.engine.stopPlayback(this.call.anchor.legId);
  }

  private clearConsultTimer(consult: Consultation): void {
    if (consult.timer) this.control.clock.clearTimeout(consult.timer);
    consult.timer = null;
  }

  /** After a transfer by the anchor, the party that stays becomes the caller side. */
  private makeAnchor(party: Party): void {
    this.call.anchor = party;
    party.listener = this.control.anchorListener;
  }

  private announceTransfer(by: Party, target: PartyIdentity, mode: TransferMode): void {
    const { control, call } = this;
    control.emit({
      type: "call.transferred",
      data: { call_id: call.callId, conversation_id: call.conversationId, mode, transferred_by: cdrParty(by.who)!, to: target.number, at: isoTime(control.now()) },
    });
  }

  private shouldRecord(peer: Party): boolean {
    const { directory } = this.control;
    const records = (extension: string | null) => extension !== null && directory.extension(extension)?.recordCalls === true;
    return records(peer.who.extension) || records(this.call.anchor.who.extension);
  }

  private end(): void {
    if (this.over) return;
    this.over = true;
    this.call.connection = null;
    this.onEnd();
  }
}
