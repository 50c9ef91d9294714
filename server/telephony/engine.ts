/**
 * The telephony engine: the low-level media and signalling operations call
 * control needs. The simulated engine implements it in-process; the SIP edge
 * (sip/, README "SIP edge") implements it for real calls.
 * Call control (server/pbx) only ever talks to these interfaces.
 */

export type LegId = string;

/** Where a leg rings: an extension's phone or an external number (E.164). */
export type Endpoint = { kind: "extension"; extension: string } | { kind: "external"; number: string };

export interface OriginateRequest {
  endpoint: Endpoint;
  /** What the called party's display shows. */
  callerId: { number: string; name: string | null };
  /** Intercom-style: the phone answers at once (click-to-call, pickup). */
  autoAnswer?: boolean;
  /**
   * A leg of the same call that is already up (its anchor), if any: an engine made of several
   * (CompositeEngine) places the new leg in the same one, so a simulated call rings simulated phones.
   */
  alongside?: LegId;
}

export interface PromptToPlay {
  text: string;
  language: string;
  audioId?: string;
}

export type PlaybackOutcome = "completed" | "stopped";

export interface RecordingFile {
  /** Random, unguessable, url-safe: the public handle of the recording. */
  code: string;
  path: string;
  durationMs: number;
  sizeBytes: number;
  sha256: string;
  format: "wav";
}

/**
 * Engine events. Outcome events (`ringing`, `answered`, `busy`, `failed`) are
 * never emitted synchronously inside the call that caused them, so the caller
 * can record the returned leg id first. `leg.hangup` reports a far-end hang-up
 * only: a leg ended with `hangup()` produces no event.
 */
export type EngineEvent =
  /**
   * A new call arrives at the edge (a caller dialled `to`); the leg is offered, not yet answered.
   * `viaTrunk`: it came from the outside world (a SIP trunk), so its caller is never one of our
   * extensions, whatever number it claims.
   */
  | { type: "leg.incoming"; legId: LegId; from: string; to: string; viaTrunk?: boolean }
  | { type: "leg.ringing"; legId: LegId }
  | { type: "leg.answered"; legId: LegId }
  /** The endpoint refused: `user_busy` or `dnd`. The leg is over. */
  | { type: "leg.busy"; legId: LegId; cause: string }
  /** The endpoint could not be reached (`offline`, `unreachable`). The leg is over. */
  | { type: "leg.failed"; legId: LegId; cause: string }
  | { type: "leg.hangup"; legId: LegId; cause: string }
  | { type: "dtmf"; legId: LegId; digit: string }
  /** A phone asks to transfer the party it talks to (SIP REFER). */
  | { type: "transfer.requested"; legId: LegId; to: string; mode: TransferMode }
  /** A phone asks to take over a call ringing elsewhere (pickup feature code). */
  | { type: "pickup.requested"; extension: string; targetLegId: LegId };

export type TransferMode = "blind" | "attended";

export type EngineListener = (event: EngineEvent) => void;

export interface TelephonyEngine {
  /** Starts ringing an endpoint; the outcome arrives as events. */
  originate(request: OriginateRequest): LegId;
  /** Answers an offered (incoming) leg. */
  answer(legId: LegId): void;
  /** Connects the audio of two answered legs; stops playback on both. */
  bridge(a: LegId, b: LegId): void;
  unbridge(legId: LegId): void;
  /** Plays a prompt; resolves when it finished or was stopped (also by hang-up). A new play replaces the current one. */
  play(legId: LegId, prompt: PromptToPlay): Promise<PlaybackOutcome>;
  stopPlayback(legId: LegId): void;
  startRecording(legId: LegId): void;
  /**
   * Ends the recording and returns the finished file, or null with `discard`
   * (or when nothing was recording). Synchronous on purpose: the final CDR,
   * which carries size and sha256, is written at the instant the call ends.
   */
  stopRecording(legId: LegId, options?: { discard?: boolean }): RecordingFile | null;
  /** Ends a leg (cancels it if still ringing). Idempotent; emits no event. */
  hangup(legId: LegId, cause: string): void;
  subscribe(listener: EngineListener): () => void;
}

export type PhoneBehavior = "answer" | "busy" | "no_answer" | "dnd" | "offline";

export interface EndpointBehavior {
  behavior: PhoneBehavior;
  /** With `answer`: seconds of ringing before the phone answers. */
  answer_after_s?: number;
  /** When set, the far end hangs up this many seconds after answering (handy for load runs). */
  hangup_after_s?: number;
}

/**
 * What the simulated world's people do: callers dialling, pressing keys and
 * hanging up; phones answering, rejecting, transferring and picking up.
 * A real SIP edge has real people instead and does not implement this.
 */
export interface FarEndSimulator {
  /** A caller (external number or extension phone) dials `to`; emits `leg.incoming` synchronously and returns its leg. */
  placeCall(request: { from: string; to: string }): LegId;
  pressDigits(legId: LegId, digits: string): void;
  /** The far end of a leg hangs up. */
  hangUpFarEnd(legId: LegId): void;
  setPhoneBehavior(extension: string, behavior: EndpointBehavior): void;
  phoneBehavior(extension: string): EndpointBehavior;
  setExternalBehavior(number: string, behavior: EndpointBehavior): void;
  /** The phone answers its oldest ringing call; returns that leg. */
  answerPhone(extension: string): LegId;
  /** The phone declines its oldest ringing call (busy). */
  rejectPhone(extension: string): LegId;
  /** Hangs up the phone's call in progress, or declines a ringing one. */
  hangupPhone(extension: string): LegId;
  transfer(extension: string, request: { to: string; mode: TransferMode }): void;
  pickup(extension: string, targetLegId: LegId): void;
}

/** Raised for actions that make no sense in the current state (e.g. answering a phone that is not ringing). */
export class TelephonyError extends Error {
  constructor(
    readonly code: "no_such_leg" | "not_ringing" | "no_active_call" | "invalid_state",
    message: string,
  ) {
    super(message);
    this.name = "TelephonyError";
  }
}
