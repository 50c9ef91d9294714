import { randomBytes } from "node:crypto";
import type { Clock, TimerHandle } from "@/flows/runtime/ports";
import {
  TelephonyError,
  type Endpoint,
  type EndpointBehavior,
  type EngineEvent,
  type EngineListener,
  type FarEndSimulator,
  type LegId,
  type OriginateRequest,
  type PlaybackOutcome,
  type PromptToPlay,
  type RecordingFile,
  type TelephonyEngine,
  type TransferMode,
} from "../engine";
import { writeToneWav } from "./wav";

export interface SimulatedEngineOptions {
  clock: Clock;
  recordingsDir: string;
  /** Default behaviour of extension phones; answers after 3 s unless set. */
  defaultPhoneBehavior?: EndpointBehavior;
  /** Default behaviour of external numbers; answers after 3 s unless set. */
  defaultExternalBehavior?: EndpointBehavior;
  /** Tells a caller's number apart: an extension phone, or the outside world. Defaults to "up to 6 digits, no +". */
  isExtension?: (number: string) => boolean;
  /** Simulated prompt length: this many ms per character of text, at least `minPromptMs`. */
  msPerCharacter?: number;
  minPromptMs?: number;
  /** Length of an uploaded audio prompt; a prompt with a known `audioId` lasts that long instead of its text's length. */
  audioDurationMs?: (audioId: string) => number | undefined;
  /** Starts every leg id (default: 8 random hex digits), so an engine made of several can tell this one's legs (CompositeEngine). */
  legIdPrefix?: string;
}

const ANSWER_AFTER_3S: EndpointBehavior = { behavior: "answer", answer_after_s: 3 };
const DTMF_DIGIT = /^[0-9*#A-D]$/;

type LegState = "ringing" | "answered" | "ended";

interface Playback {
  timer: TimerHandle;
  resolve: (outcome: PlaybackOutcome) => void;
}

/** One simulated leg; extension legs also sit in their phone's `legs`. */
interface SimLeg {
  id: LegId;
  endpoint: Endpoint;
  /** true for legs the far end placed (offered to call control), false for originated ones. */
  incoming: boolean;
  state: LegState;
  phone: SimPhone | null;
  behavior: EndpointBehavior;
  peer: SimLeg | null;
  playback: Playback | null;
  /** Pending far-end action: answering after ringing, or hanging up after talking. */
  timer: TimerHandle | null;
  recordingStartedAt: number | null;
  endedAt: number | null;
}

interface SimPhone {
  behavior: EndpointBehavior;
  legs: SimLeg[];
}

/**
 * The in-process telephony world: phones, external numbers and callers,
 * all timed by the injected clock. Implements the engine call control uses
 * and the far-end controls the simulator API exposes.
 */
export class SimulatedEngine implements TelephonyEngine, FarEndSimulator {
  private readonly clock: Clock;
  private readonly recordingsDir: string;
  private readonly defaultPhoneBehavior: EndpointBehavior;
  private readonly defaultExternalBehavior: EndpointBehavior;
  private readonly isExtension: (number: string) => boolean;
  private readonly msPerCharacter: number;
  private readonly minPromptMs: number;
  private readonly audioDurationMs: (audioId: string) => number | undefined;
  private readonly legs = new Map<LegId, SimLeg>();
  private readonly phones = new Map<string, SimPhone>();
  private readonly externalBehaviors = new Map<string, EndpointBehavior>();
  private listeners: EngineListener[] = [];
  private readonly legIdPrefix: string;
  private legCounter = 0;

  constructor(options: SimulatedEngineOptions) {
    this.clock = options.clock;
    this.recordingsDir = options.recordingsDir;
    this.defaultPhoneBehavior = options.defaultPhoneBehavior ?? ANSWER_AFTER_3S;
    this.defaultExternalBehavior = options.defaultExternalBehavior ?? ANSWER_AFTER_3S;
    this.isExtension = options.isExtension ?? ((number) => /^\d{1,6}$/.test(number));
    this.msPerCharacter = options.msPerCharacter ?? 60;
    this.minPromptMs = options.minPromptMs ?? 500;
    this.audioDurationMs = options.audioDurationMs ?? (() => undefined);
    this.legIdPrefix = options.legIdPrefix ?? randomBytes(4).toString("hex");
  }

  // ── TelephonyEngine ─────────────────────────────────────────────

  originate(request: OriginateRequest): LegId {
    const { endpoint } = request;
    const phone = endpoint.kind === "extension" ? this.phone(endpoint.extension) : null;
    const external = endpoint.kind === "external" ? this.externalBehaviors.get(endpoint.number) : undefined;
    const leg = this.newLeg(endpoint, false, phone, phone?.behavior ?? external ?? this.defaultExternalBehavior);
    queueMicrotask(() => this.offer(leg, request.autoAnswer === true));
    return leg.id;
  }

  answer(legId: LegId): void {
    const leg = this.liveLeg(legId);
    if (leg.state === "ringing") this.markAnswered(leg);
  }

  bridge(a: LegId, b: LegId): void {
    const first = this.liveLeg(a);
    const second = this.liveLeg(b);
    if (first.state !== "answered" || second.state !== "answered") {
      throw new TelephonyError("invalid_state", "only answered legs can be bridged");
    }
    this.unbridgeLeg(first);
    this.unbridgeLeg(second);
    this.stopPlaybackOf(first);
    this.stopPlaybackOf(second);
    first.peer = second;
    second.peer = first;
  }

  unbridge(legId: LegId): void {
    const leg = this.legs.get(legId);
    if (leg) this.unbridgeLeg(leg);
  }

  play(legId: LegId, prompt: PromptToPlay): Promise<PlaybackOutcome> {
    const leg = this.legs.get(legId);
    if (!leg || leg.state === "ended") return Promise.resolve("stopped");
    this.stopPlaybackOf(leg);
    const recorded = prompt.audioId === undefined ? undefined : this.audioDurationMs(prompt.audioId);
    const durationMs = recorded ?? Math.max(this.minPromptMs, prompt.text.length * this.msPerCharacter);
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => {
        leg.playback = null;
        resolve("completed");
      }, durationMs);
      leg.playback = { timer, resolve };
    });
  }

  stopPlayback(legId: LegId): void {
    const leg = this.legs.get(legId);
    if (leg) this.stopPlaybackOf(leg);
  }

  startRecording(legId: LegId): void {
    const leg = this.liveLeg(legId);
    if (leg.recordingStartedAt === null) leg.recordingStartedAt = this.clock.now();
  }

  stopRecording(legId: LegId, options?: { discard?: boolean }): RecordingFile | null {
    const leg = this.legs.get(legId);
    if (!leg || leg.recordingStartedAt === null) return null;
    const durationMs = (leg.endedAt ?? this.clock.now()) - leg.recordingStartedAt;
    leg.recordingStartedAt = null;
    if (leg.state === "ended") this.legs.delete(leg.id);
    return options?.discard ? null : writeToneWav(this.recordingsDir, durationMs);
  }

  /** The simulator has no use for the cause; a real edge would signal it to the far end. */
  hangup(legId: LegId, _cause: string): void {
    const leg = this.legs.get(legId);
    if (leg && leg.state !== "ended") this.end(leg);
  }

  subscribe(listener: EngineListener): () => void {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((existing) => existing !== listener);
    };
  }

  // ── FarEndSimulator ─────────────────────────────────────────────

  placeCall(request: { from: string; to: string }): LegId {
    const fromExtension = this.isExtension(request.from);
    const endpoint: Endpoint = fromExtension ? { kind: "extension", extension: request.from } : { kind: "external", number: request.from };
    const phone = fromExtension ? this.phone(request.from) : null;
    const leg = this.newLeg(endpoint, true, phone, phone?.behavior ?? this.defaultExternalBehavior);
    this.emit({ type: "leg.incoming", legId: leg.id, from: request.from, to: request.to });
    return leg.id;
  }

  pressDigits(legId: LegId, digits: string): void {
    const leg = this.liveLeg(legId);
    for (const digit of digits) {
      if (!DTMF_DIGIT.test(digit)) throw new TelephonyError("invalid_state", `"${digit}" is not a DTMF digit`);
    }
    for (const digit of digits) {
      if (leg.state === "ended") return;
      this.emit({ type: "dtmf", legId, digit });
    }
  }

  hangUpFarEnd(legId: LegId): void {
    const leg = this.liveLeg(legId);
    this.end(leg);
    this.emit({ type: "leg.hangup", legId, cause: "normal_clearing" });
  }

  setPhoneBehavior(extension: string, behavior: EndpointBehavior): void {
    this.phone(extension).behavior = { ...behavior };
  }

  phoneBehavior(extension: string): EndpointBehavior {
    return { ...this.phone(extension).behavior };
  }

  setExternalBehavior(number: string, behavior: EndpointBehavior): void {
    this.externalBehaviors.set(number, { ...behavior });
  }

  answerPhone(extension: string): LegId {
    const leg = this.ringingLegOf(extension);
    this.markAnswered(leg);
    this.emit({ type: "leg.answered", legId: leg.id });
    return leg.id;
  }

  rejectPhone(extension: string): LegId {
    const leg = this.ringingLegOf(extension);
    this.end(leg);
    this.emit({ type: "leg.busy", legId: leg.id, cause: "call_rejected" });
    return leg.id;
  }

  hangupPhone(extension: string): LegId {
    const active = this.offHookLegOf(extension);
    if (!active) return this.rejectPhone(extension);
    this.hangUpFarEnd(active.id);
    return active.id;
  }

  transfer(extension: string, request: { to: string; mode: TransferMode }): void {
    const active = this.offHookLegOf(extension);
    if (!active || active.state !== "answered") throw new TelephonyError("no_active_call", `extension ${extension} has no call in progress`);
    this.emit({ type: "transfer.requested", legId: active.id, to: request.to, mode: request.mode });
  }

  pickup(extension: string, targetLegId: LegId): void {
    const target = this.legs.get(targetLegId);
    if (!target || target.incoming || target.state !== "ringing" || target.endpoint.kind !== "extension") {
      throw new TelephonyError("not_ringing", "that call is not ringing at a phone");
    }
    if (target.phone === this.phones.get(extension)) {
      throw new TelephonyError("invalid_state", "a phone cannot pick up its own ringing call");
    }
    this.emit({ type: "pickup.requested", extension, targetLegId });
  }

  // ── internals ───────────────────────────────────────────────────

  /** Decides what the far end does with a new originated leg. Runs as a microtask, after `originate` returned. */
  private offer(leg: SimLeg, autoAnswer: boolean): void {
    if (leg.state !== "ringing") return;
    const { behavior } = leg;
    if (behavior.behavior === "offline") return this.refuse(leg, "leg.failed", "offline");
    if (leg.phone && this.isOffHook(leg.phone, leg)) return this.refuse(leg, "leg.busy", "user_busy");
    if (!autoAnswer && behavior.behavior === "busy") return this.refuse(leg, "leg.busy", "user_busy");
    if (!autoAnswer && behavior.behavior === "dnd") return this.refuse(leg, "leg.busy", "dnd");
    this.emit({ type: "leg.ringing", legId: leg.id });
    if (leg.state !== "ringing") return;
    const answerAfterMs = (behavior.answer_after_s ?? 0) * 1000;
    if (autoAnswer || (behavior.behavior === "answer" && answerAfterMs <= 0)) {
      this.farEndAnswers(leg);
    } else if (behavior.behavior === "answer") {
      leg.timer = this.clock.setTimeout(() => {
        leg.timer = null;
        this.farEndAnswers(leg);
      }, answerAfterMs);
    }
  }

  private farEndAnswers(leg: SimLeg): void {
    this.markAnswered(leg);
    this.emit({ type: "leg.answered", legId: leg.id });
    const hangupAfterS = leg.behavior.hangup_after_s;
    if (hangupAfterS !== undefined && leg.state === "answered") {
      leg.timer = this.clock.setTimeout(() => {
        leg.timer = null;
        if (leg.state !== "ended") this.hangUpFarEnd(leg.id);
      }, hangupAfterS * 1000);
    }
  }

  private refuse(leg: SimLeg, type: "leg.busy" | "leg.failed", cause: string): void {
    this.end(leg);
    this.emit({ type, legId: leg.id, cause });
  }

  private markAnswered(leg: SimLeg): void {
    if (leg.timer) this.clock.clearTimeout(leg.timer);
    leg.timer = null;
    leg.state = "answered";
  }

  private end(leg: SimLeg): void {
    if (leg.timer) this.clock.clearTimeout(leg.timer);
    leg.timer = null;
    this.stopPlaybackOf(leg);
    this.unbridgeLeg(leg);
    leg.state = "ended";
    leg.endedAt = this.clock.now();
    if (leg.phone) leg.phone.legs = leg.phone.legs.filter((other) => other !== leg);
    // An unfinished recording keeps the leg reachable until stopRecording collects it.
    if (leg.recordingStartedAt === null) this.legs.delete(leg.id);
  }

  private stopPlaybackOf(leg: SimLeg): void {
    const playback = leg.playback;
    if (!playback) return;
    leg.playback = null;
    this.clock.clearTimeout(playback.timer);
    playback.resolve("stopped");
  }

  private unbridgeLeg(leg: SimLeg): void {
    if (leg.peer) leg.peer.peer = null;
    leg.peer = null;
  }

  /** A phone is off-hook when it talks on, or itself placed, another call. */
  private isOffHook(phone: SimPhone, except: SimLeg): boolean {
    return phone.legs.some((leg) => leg !== except && (leg.state === "answered" || leg.incoming));
  }

  private newLeg(endpoint: Endpoint, incoming: boolean, phone: SimPhone | null, behavior: EndpointBehavior): SimLeg {
    const leg: SimLeg = {
      id: `${this.legIdPrefix}-${(++this.legCounter).toString(36)}`,
      endpoint,
      incoming,
      state: "ringing",
      phone,
      behavior,
      peer: null,
      playback: null,
      timer: null,
      recordingStartedAt: null,
      endedAt: null,
    };
    this.legs.set(leg.id, leg);
    phone?.legs.push(leg);
    return leg;
  }

  private phone(extension: string): SimPhone {
    let phone = this.phones.get(extension);
    if (!phone) {
      phone = { behavior: this.defaultPhoneBehavior, legs: [] };
      this.phones.set(extension, phone);
    }
    return phone;
  }

  private ringingLegOf(extension: string): SimLeg {
    const leg = this.phones.get(extension)?.legs.find((candidate) => !candidate.incoming && candidate.state === "ringing");
    if (!leg) throw new TelephonyError("not_ringing", `no call is ringing at extension ${extension}`);
    return leg;
  }

  /** The call the phone's user is in: talking, or placed by this phone. */
  private offHookLegOf(extension: string): SimLeg | undefined {
    return this.phones.get(extension)?.legs.find((leg) => leg.state === "answered" || leg.incoming);
  }

  private liveLeg(legId: LegId): SimLeg {
    const leg = this.legs.get(legId);
    if (!leg || leg.state === "ended") throw new TelephonyError("no_such_leg", `leg ${legId} is not active`);
    return leg;
  }

  private emit(event: EngineEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
