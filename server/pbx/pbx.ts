import type { CountryCode } from "libphonenumber-js";
import type { CallChannel, CallInfo, Clock, DialRequest, Logger } from "@/flows/runtime/ports";
import { TelephonyError, type EndpointBehavior, type EngineEvent, type FarEndSimulator, type TelephonyEngine, type TransferMode } from "@/server/telephony/engine";
import { AgentBoard, type AgentStateView } from "./agents";
import { dialTargetOf, requestedFor, startRinging, type Call, type Party, type PartyIdentity, type PartyListener } from "./call";
import { CallControl } from "./callControl";
import { defaultRecordingUrl, interruptedCallCdr, isoTime, type Cdr, type OpenCallSnapshot, type RecordingUrl } from "./cdr";
import { PbxChannel } from "./channel";
import type { Directory } from "./directory";
import { PbxError } from "./errors";
import type { PbxEvent, PbxEventListener } from "./events";
import { normalizeNumber } from "./numbers";
import { QueueDispatcher } from "./queues";
import { callView, extensionCallItem, type CallView, type ExtensionCallItem } from "./views";

/** Runs a flow on a call; resolves when the flow is done. The lead wires the interpreter here. */
export type StartFlow = (channel: CallChannel, call: CallInfo, variables: Record<string, unknown>) => Promise<void>;

export interface PbxOptions {
  clock: Clock;
  engine: TelephonyEngine;
  /** The far-end controls of a simulated engine (phones, callers); the simulator methods need it. */
  simulator?: FarEndSimulator;
  directory: Directory;
  /** Receives every event synchronously, before other subscribers. */
  sink?: PbxEventListener;
  startFlow?: StartFlow;
  logger?: Logger;
  recordingUrl?: RecordingUrl;
  defaultRegion?: CountryCode;
  /** Ring time of direct internal and outbound calls, click-to-call targets and IVR calls; 30 s. */
  ringTimeoutS?: number;
  /** Ended calls kept readable by `getCall`; 1000. */
  recentCallsLimit?: number;
}

export interface StartedCall {
  callId: string;
  conversationId: string;
  status: CallView["status"];
}

const SILENT_LOGGER: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * The PBX: call control on a telephony engine. Incoming calls run their
 * DID's flow (or ring an extension directly); calls can be started from
 * the API; phones, callers and agents are driven through it; everything
 * that happens is reported as events (see events.ts).
 */
export class Pbx {
  private readonly control: CallControl;
  private readonly agents: AgentBoard;
  private readonly queues: QueueDispatcher;
  private readonly engine: TelephonyEngine;
  private readonly simulator: FarEndSimulator | undefined;
  private readonly directory: Directory;
  private readonly startFlow: StartFlow | undefined;
  private readonly logger: Logger;
  private readonly region: CountryCode;
  private readonly ringTimeoutMs: number;
  private readonly sink: PbxEventListener | undefined;
  private listeners: PbxEventListener[] = [];
  private readonly unsubscribeEngine: () => void;
  /** Set by the incoming-call handler, so `placeInboundCall` can return the call its leg created. */
  private lastIncoming: Call | null = null;

  constructor(options: PbxOptions) {
    this.engine = options.engine;
    this.simulator = options.simulator;
    this.directory = options.directory;
    this.startFlow = options.startFlow;
    this.logger = options.logger ?? SILENT_LOGGER;
    this.region = options.defaultRegion ?? "HU";
    this.ringTimeoutMs = (options.ringTimeoutS ?? 30) * 1000;
    this.sink = options.sink;
    this.control = new CallControl({
      clock: options.clock,
      engine: options.engine,
      directory: options.directory,
      logger: this.logger,
      emit: (event) => this.emit(event),
      recordingUrl: options.recordingUrl ?? defaultRecordingUrl,
      recentCallsLimit: options.recentCallsLimit ?? 1000,
    });
    this.agents = new AgentBoard({
      clock: options.clock,
      directory: options.directory,
      onStateChange: (change) => this.emit({ type: "agent.state_changed", change }),
      onFree: () => this.queues.agentFree(),
    });
    this.queues = new QueueDispatcher(this.control, this.agents);
    this.unsubscribeEngine = options.engine.subscribe((event) => this.onEngineEvent(event));
  }

  // ── starting calls ──────────────────────────────────────────────

  /** A simulated caller dials `to` from `from` (external number or extension). */
  placeInboundCall(request: { from: string; to: string }): StartedCall {
    this.lastIncoming = null;
    this.requireSimulator().placeCall(request);
    const call = this.lastIncoming as Call | null;
    this.lastIncoming = null;
    if (!call) throw new PbxError("unavailable", "the engine did not offer the call");
    return started(call);
  }

  /** Rings the extension's phone first; when it answers, dials `to` (honouring forwarding if it is an extension). */
  clickToCall(request: { fromExtension: string; to: string; callerId?: string; autoAnswer?: boolean; timeoutS?: number }): StartedCall {
    const { control } = this;
    const origin = control.extensionIdentity(request.fromExtension);
    if (!origin) throw new PbxError("not_found", `extension ${request.fromExtension} does not exist or is disabled`);
    const target = this.dialable(request.to);
    const presented = request.callerId ? { number: this.normalize(request.callerId), name: null } : { number: origin.number, name: origin.name };
    const call = control.createCall(
      {
        direction: target.extension !== null ? "internal" : "outbound",
        caller: { number: origin.number, numberRaw: origin.number, name: origin.name },
        presentedCallerId: presented,
        calledNumber: target.number,
        flowId: null,
      },
      requestedFor(target),
    );
    const starter: PartyListener = {
      onAnswered: (party) => {
        this.clearCallTimer(call);
        party.listener = control.anchorListener;
        this.runRoutine(call, (channel) => channel.dial(dialRequest(target, this.ringTimeoutMs)));
      },
      onRefused: (_party, status, cause) => control.endCall(call, `originator_${cause}`, status === "busy" ? "cancelled" : "failed"),
      onHangup: () => control.endCall(call, "originator_hangup", "cancelled"),
    };
    // The originating phone shows the number it is about to call.
    call.anchor = control.ring(call, origin, starter, { autoAnswer: request.autoAnswer, callerId: { number: target.number, name: target.name } });
    call.timer = control.clock.setTimeout(() => control.endCall(call, "originator_no_answer", "cancelled"), (request.timeoutS ?? 30) * 1000);
    this.announceStart(call);
    return started(call);
  }

  /** Dials `to`; when answered, runs the flow with `variables`. */
  originateIvrCall(request: { to: string; flowId: string; callerId?: string; variables?: Record<string, unknown> }): StartedCall {
    const { control } = this;
    const target = this.dialable(request.to);
    const callerNumber = request.callerId ? this.normalize(request.callerId) : "";
    const call = control.createCall(
      {
        direction: target.extension !== null ? "internal" : "outbound",
        caller: { number: callerNumber, numberRaw: request.callerId ?? "", name: null },
        presentedCallerId: { number: callerNumber, name: null },
        calledNumber: target.number,
        flowId: request.flowId,
        anchorIsCallee: true,
      },
      requestedFor(target),
    );
    control.beginAttempt(call, requestedFor(target));
    startRinging(call.leg, control.now());
    const starter: PartyListener = {
      onRinging: (party) => control.partyRinging(call, party.who),
      onAnswered: (party) => {
        this.clearCallTimer(call);
        control.partyAnswered(call, party.who);
        party.listener = control.anchorListener;
        call.status = "in_flow";
        this.runFlow(call, request.variables ?? {});
      },
      onRefused: (_party, status, cause) => control.endCall(call, cause, status === "busy" ? "busy" : "failed"),
      onHangup: () => control.endCall(call, "callee_hangup", "failed"),
    };
    call.anchor = control.ring(call, target, starter);
    call.timer = control.clock.setTimeout(() => control.endCall(call, "no_answer", "no_answer"), this.ringTimeoutMs);
    this.announceStart(call);
    return started(call);
  }

  // ── reading calls ───────────────────────────────────────────────

  /** API.md `GET /calls/{call_id}`: active calls and recently ended ones. */
  getCall(callId: string): CallView | null {
    const call = this.control.findCall(callId);
    return call ? callView(call) : null;
  }

  listActiveCalls(): CallView[] {
    return [...this.control.calls.values()].map(callView);
  }

  /** Calls in progress with the extensions where one of their parties rings or talks now (whom the live views show a call to). */
  liveCalls(): Array<{ call: CallView; partyExtensions: string[] }> {
    return [...this.control.calls.values()].map((call) => ({
      call: callView(call),
      partyExtensions: [...call.parties].flatMap((party) => (party.who.extension === null ? [] : [party.who.extension])),
    }));
  }

  /** API.md `GET /extensions/{ext}/calls` items. */
  callsOfExtension(extension: string): ExtensionCallItem[] {
    return [...this.control.partiesAt(extension)].map((party) => extensionCallItem(party.call, party));
  }

  // ── phones (simulator) ──────────────────────────────────────────

  setPhoneBehavior(extension: string, behavior: EndpointBehavior): void {
    this.requireExtension(extension);
    this.requireSimulator().setPhoneBehavior(extension, behavior);
  }

  answerPhone(extension: string): void {
    this.requireExtension(extension);
    this.phoneAction(() => this.requireSimulator().answerPhone(extension));
  }

  rejectPhone(extension: string): void {
    this.requireExtension(extension);
    this.phoneAction(() => this.requireSimulator().rejectPhone(extension));
  }

  hangupPhone(extension: string): void {
    this.requireExtension(extension);
    this.phoneAction(() => this.requireSimulator().hangupPhone(extension));
  }

  /** The phone at `extension` transfers the party it talks to; during an attended transfer's consultation, a second call completes it. */
  transfer(extension: string, request: { to: string; mode: TransferMode }): void {
    this.requireExtension(extension);
    const party = [...this.control.partiesAt(extension)].find((candidate) => candidate.state === "answered");
    if (!party?.call.connection?.canTransfer(party)) throw new PbxError("conflict", `extension ${extension} has no call it can transfer now`);
    const target = this.dialable(request.to);
    if (target.extension === extension) throw new PbxError("invalid", "cannot transfer a call to the transferring extension");
    this.phoneAction(() => this.requireSimulator().transfer(extension, { to: target.number, mode: request.mode }));
  }

  /** The phone at `extension` takes over a call ringing at another extension (the given call, else the longest ringing). */
  pickup(extension: string, callId?: string): void {
    if (!this.control.extensionIdentity(extension)) throw new PbxError("not_found", `extension ${extension} does not exist or is disabled`);
    const candidates = callId ? [...(this.control.calls.get(callId)?.parties ?? [])] : [...this.control.parties.values()];
    const target = candidates
      .filter((party) => party.state === "ringing" && party.who.extension !== null && party.who.extension !== extension && party.listener?.pickUp)
      .sort((a, b) => a.since - b.since)[0];
    if (!target) throw new PbxError("conflict", "no call is ringing that can be picked up");
    this.phoneAction(() => this.requireSimulator().pickup(extension, target.legId));
  }

  // ── the caller's side (simulator) ───────────────────────────────

  sendDtmf(callId: string, digits: string): void {
    const call = this.activeCall(callId);
    this.phoneAction(() => this.requireSimulator().pressDigits(call.anchor.legId, digits));
  }

  hangupCall(callId: string): void {
    const call = this.activeCall(callId);
    this.phoneAction(() => this.requireSimulator().hangUpFarEnd(call.anchor.legId));
  }

  // ── agents ──────────────────────────────────────────────────────

  agentLogin(agentId: string): void {
    this.agents.login(agentId);
  }

  agentLogout(agentId: string): void {
    this.agents.logout(agentId);
  }

  agentPause(agentId: string, reason: string | null = null): void {
    this.agents.pause(agentId, reason);
  }

  agentResume(agentId: string): void {
    this.agents.resume(agentId);
  }

  /** API.md `GET /agents/status` items. */
  agentStates(): AgentStateView[] {
    return this.agents.states();
  }

  // ── events and lifecycle ────────────────────────────────────────

  subscribe(listener: PbxEventListener): () => void {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((existing) => existing !== listener);
    };
  }

  /**
   * After a restart: gives each call the persistence side found open a final
   * CDR (`failed`, `system_restart`), emitted as `conversation.ended`.
   */
  closeInterruptedCalls(openCalls: Array<{ snapshot: OpenCallSnapshot; partials: Cdr[] }>): Cdr[] {
    const now = this.control.now();
    return openCalls.map(({ snapshot, partials }) => {
      const base = interruptedCallCdr(snapshot, { cdrId: this.control.newId(), legId: this.control.newId() }, now);
      // The final record follows the partial CDRs the conversation already produced before the restart.
      const cdr: Cdr = partials.length > 0 ? { ...base, sequence: partials.length + 1, legs: partials } : base;
      this.emit({ type: "conversation.ended", cdr });
      return cdr;
    });
  }

  /** Hangs up every call (each gets its final CDR) and stops listening to the engine. */
  shutdown(): void {
    for (const call of [...this.control.calls.values()]) this.control.endCall(call, "system_shutdown");
    this.agents.dispose();
    this.unsubscribeEngine();
  }

  // ── internals ───────────────────────────────────────────────────

  private onEngineEvent(event: EngineEvent): void {
    try {
      this.dispatch(event);
    } catch (error) {
      this.logger.error({ component: "pbx", event: event.type, err: error }, "engine event handling failed");
    }
  }

  private dispatch(event: EngineEvent): void {
    if (event.type === "leg.incoming") return this.onIncoming(event.legId, event.from, event.to, event.viaTrunk === true);
    if (event.type === "pickup.requested") return this.onPickupRequested(event.extension, event.targetLegId);
    const party = this.control.parties.get(event.legId);
    if (!party) return;
    const listener = party.listener;
    switch (event.type) {
      case "leg.ringing":
        return listener?.onRinging?.(party);
      case "leg.answered":
        party.state = "answered";
        party.answeredAt = this.control.now();
        return listener?.onAnswered?.(party);
      case "leg.busy":
      case "leg.failed":
        this.control.partyGone(party);
        return listener?.onRefused?.(party, event.type === "leg.busy" ? "busy" : "failed", event.cause);
      case "leg.hangup":
        this.control.partyGone(party);
        return listener?.onHangup?.(party, event.cause);
      case "dtmf":
        return listener?.onDtmf?.(party, event.digit);
      case "transfer.requested":
        return this.onTransferRequested(party, event.to, event.mode);
    }
  }

  /** Routes a new call: its DID's flow, a direct extension-to-extension call, an extension dialling out, or a rejection. */
  private onIncoming(legId: string, rawFrom: string, rawTo: string, viaTrunk: boolean): void {
    const { control, directory } = this;
    const from = this.normalize(rawFrom);
    const to = this.normalize(rawTo);
    // A trunk caller claiming an extension's number must not get that extension's rights (dialling out).
    const fromExtension = viaTrunk ? null : control.extensionIdentity(from);
    const flowId = directory.flowIdForNumber(to);
    const target = flowId || !fromExtension ? null : control.identify(to);
    const direction = fromExtension ? (target && target.extension === null ? "outbound" : "internal") : "inbound";
    const caller = fromExtension ?? control.externalIdentity(from);
    const call = control.createCall(
      {
        direction,
        caller: { number: from, numberRaw: rawFrom, name: caller.name },
        presentedCallerId: { number: from, name: caller.name },
        calledNumber: to,
        flowId,
      },
      target ? requestedFor(target) : { number: to },
    );
    control.adoptAnchor(call, legId, caller, false);
    this.lastIncoming = call;
    this.announceStart(call);
    if (flowId) {
      call.status = "in_flow";
      return this.runFlow(call, {});
    }
    if (!target) return control.endCall(call, "unallocated_number", "failed");
    this.runRoutine(call, (channel) => channel.dial(dialRequest(target, this.ringTimeoutMs)));
  }

  private onTransferRequested(party: Party, to: string, mode: TransferMode): void {
    const target = this.control.identify(to);
    const connection = party.call.connection;
    if (!target || !connection?.canTransfer(party)) {
      this.logger.warn({ component: "pbx", callId: party.call.callId, to }, "transfer request ignored");
      return;
    }
    connection.transfer(party, target, mode);
  }

  private onPickupRequested(extension: string, targetLegId: string): void {
    const target = this.control.parties.get(targetLegId);
    const picker = this.control.extensionIdentity(extension);
    if (!target || !picker || !target.listener?.pickUp?.(target, picker)) {
      this.logger.warn({ component: "pbx", extension, targetLegId }, "pickup request ignored");
    }
  }

  private runFlow(call: Call, variables: Record<string, unknown>): void {
    const startFlow = this.startFlow;
    if (!startFlow) return this.control.endCall(call, "no_flow_runner", "failed");
    const info: CallInfo = {
      id: call.callId,
      conversationId: call.conversationId,
      direction: call.direction,
      caller: { number: call.caller.number, numberRaw: call.caller.numberRaw, name: call.caller.name },
      calledNumber: call.calledNumber,
      startedAt: isoTime(call.startedAt),
      flowId: call.flowId,
    };
    this.runRoutine(call, (channel) => startFlow(channel, info, variables));
  }

  /** Runs what the call does (a flow, or a plain dial); when it is done the call ends. */
  private runRoutine(call: Call, routine: (channel: CallChannel) => Promise<unknown>): void {
    const channel = new PbxChannel(this.control, this.queues, call);
    let running: Promise<unknown>;
    try {
      running = routine(channel);
    } catch (error) {
      running = Promise.reject(error);
    }
    running.then(
      () => this.control.endCall(call, "normal_clearing"),
      (error: unknown) => {
        this.logger.error({ component: "pbx", callId: call.callId, err: error }, "call routine failed");
        this.control.endCall(call, "flow_error", "failed");
      },
    );
  }

  private announceStart(call: Call): void {
    this.emit({
      type: "call.started",
      call: {
        call_id: call.callId,
        conversation_id: call.conversationId,
        direction: call.direction,
        caller: { number: call.caller.number, name: call.caller.name },
        called_number: call.calledNumber,
        flow_id: call.flowId,
        started_at: isoTime(call.startedAt),
        answered_at: null,
      },
    });
  }

  private emit(event: PbxEvent): void {
    for (const listener of this.sink ? [this.sink, ...this.listeners] : this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.logger.error({ component: "pbx", event: event.type, err: error }, "event listener failed");
      }
    }
  }

  private clearCallTimer(call: Call): void {
    if (call.timer) this.control.clock.clearTimeout(call.timer);
    call.timer = null;
  }

  private normalize(number: string): string {
    return normalizeNumber(number, this.region);
  }

  private dialable(number: string): PartyIdentity {
    const who = this.control.identify(this.normalize(number));
    if (!who) throw new PbxError("invalid", `${number} is neither an enabled extension nor a dialable number`);
    return who;
  }

  private requireExtension(extension: string): void {
    if (!this.directory.extension(extension)) throw new PbxError("not_found", `unknown extension ${extension}`);
  }

  private activeCall(callId: string): Call {
    const call = this.control.calls.get(callId);
    if (!call) throw new PbxError("not_found", `no active call ${callId}`);
    return call;
  }

  private requireSimulator(): FarEndSimulator {
    if (!this.simulator) throw new PbxError("unavailable", "this engine has no simulator");
    return this.simulator;
  }

  /** Simulator refusals (nothing ringing, no call in progress) become conflicts. */
  private phoneAction(action: () => unknown): void {
    try {
      action();
    } catch (error) {
      if (error instanceof TelephonyError) throw new PbxError("conflict", error.message);
      throw error;
    }
  }
}

function started(call: Call): StartedCall {
  return { callId: call.callId, conversationId: call.conversationId, status: call.status };
}

function dialRequest(target: PartyIdentity, ringTimeoutMs: number): DialRequest {
  return { targets: [dialTargetOf(target)], strategy: "simultaneous", ringTimeoutMs, followForwarding: true };
}
