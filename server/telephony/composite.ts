/**
 * Two engines as one, so the simulator keeps working beside the SIP edge
 * (`TELEPHONY=sip`): admins test flows with simulated calls while real calls
 * come in. Every leg belongs to the engine that made it, told apart by the
 * simulated engine's leg-id prefix; a new leg goes to the engine of the call's
 * existing leg (`alongside`), so a simulated caller rings simulated phones and
 * a trunk caller rings real ones; a call without one yet (click-to-call, IVR
 * calls from the API) goes to the real engine. Events of both reach every listener.
 */
import type { EngineEvent, EngineListener, LegId, OriginateRequest, PlaybackOutcome, PromptToPlay, RecordingFile, TelephonyEngine } from "./engine";

/** The leg-id prefix the simulated engine is given inside a composite engine. */
export const SIMULATED_LEG_PREFIX = "sim-";

export class CompositeEngine implements TelephonyEngine {
  private listeners: EngineListener[] = [];

  constructor(
    private readonly real: TelephonyEngine,
    private readonly simulated: TelephonyEngine,
  ) {
    const forward = (event: EngineEvent) => {
      for (const listener of this.listeners) listener(event);
    };
    real.subscribe(forward);
    simulated.subscribe(forward);
  }

  private engineOf(legId: LegId): TelephonyEngine {
    return legId.startsWith(SIMULATED_LEG_PREFIX) ? this.simulated : this.real;
  }

  originate(request: OriginateRequest): LegId {
    return (request.alongside === undefined ? this.real : this.engineOf(request.alongside)).originate(request);
  }

  answer(legId: LegId): void {
    this.engineOf(legId).answer(legId);
  }

  /** Both legs of one call live in one engine (see `alongside`). */
  bridge(a: LegId, b: LegId): void {
    this.engineOf(a).bridge(a, b);
  }

  unbridge(legId: LegId): void {
    this.engineOf(legId).unbridge(legId);
  }

  play(legId: LegId, prompt: PromptToPlay): Promise<PlaybackOutcome> {
    return this.engineOf(legId).play(legId, prompt);
  }

  stopPlayback(legId: LegId): void {
    this.engineOf(legId).stopPlayback(legId);
  }

  startRecording(legId: LegId): void {
    this.engineOf(legId).startRecording(legId);
  }

  stopRecording(legId: LegId, options?: { discard?: boolean }): RecordingFile | null {
    return this.engineOf(legId).stopRecording(legId, options);
  }

  hangup(legId: LegId, cause: string): void {
    this.engineOf(legId).hangup(legId, cause);
  }

  subscribe(listener: EngineListener): () => void {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((existing) => existing !== listener);
    };
  }
}
