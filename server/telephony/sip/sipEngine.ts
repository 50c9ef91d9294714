/**
 * The SIP edge: real calls as a `TelephonyEngine` (README "SIP edge"). An
 * INVITE from a trunk, or from a registered phone (digest-authenticated), is
 * `leg.incoming`; call control answers it (200 OK with a G.711 SDP answer),
 * plays prompts (espeak-ng or the uploaded recording, as 20 ms RTP frames)
 * and hears RFC 4733 digits (SIP INFO as a fallback). `originate` rings a
 * registered phone or calls an external number through the outbound trunk;
 * answered legs are bridged and recorded to WAV.
 */
import { randomBytes, randomInt } from "node:crypto";
import { lookup } from "node:dns/promises";
import type { Clock, Logger, TimerHandle } from "@/flows/runtime/ports";
import {
  TelephonyError,
  type EngineEvent,
  type EngineListener,
  type LegId,
  type OriginateRequest,
  type PlaybackOutcome,
  type PromptToPlay,
  type RecordingFile,
  type TelephonyEngine,
} from "../engine";
import { tagOf, userOf, parseSipUri } from "./address";
import { encodeG711 } from "./g711";
import { ALLOWED_METHODS, InboundDialog, newTag, type DialogContext } from "./inboundDialog";
import { headerValue, parseCSeq, responseTo, type SipRequest, type SipResponse } from "./message";
import { FramePacer } from "./pacer";
import type { PromptAudio } from "./prompts";
import { TRANSACTION_LIFETIME_MS } from "./retransmit";
import { DigestAuthenticator } from "./digest";
import { LegRecorder } from "./recording";
import { Registrar, type Binding } from "./registrar";
import { RtpPorts, RtpSession, type RtpPortRange } from "./rtpSession";
import { OutboundDialog, type OutboundTarget } from "./outboundDialog";
import { readRefer, referNotify } from "./refer";
import { answerSdp, negotiateOffer, offerSdp, type NegotiatedMedia } from "./sdp";
import type { Socket } from "node:dgram";
import { SipTransport, type Peer } from "./transport";
import { TrunkRegistration, type RegistrationAccount, type RegistrationStatus, type RegistrationTiming } from "./trunkRegistration";

export interface SipEngineOptions {
  clock: Clock;
  logger: Logger;
  /** Where SIP listens (UDP); port 0 picks a free one (tests). */
  listen: { address: string; port: number };
  /** The address peers reach us at, written into Via, Contact and SDP; defaults to the listen address. */
  advertisedAddress?: string;
  /** RTP ports (even ones are used); without a range every call gets any free port. */
  rtpPorts?: RtpPortRange;
  /** Source addresses INVITEs are accepted from for any DID (the `SIP_TRUNKS` setting). */
  trustedPeers?: readonly string[];
  /**
   * The trunks configured in the portal, read per INVITE (a change applies to the next call without a
   * restart). An INVITE from an address of neither these nor `trustedPeers` is a phone's: challenged for
   * its extension's SIP password (403 without a registrar); one for a DID none of the matching trunks carries, 404.
   */
  trunks?: () => readonly InboundTrunk[];
  /**
   * The trunks' provider accounts the edge registers with, read at start and every `pollMs` (default 5 s):
   * new accounts start registering, changed ones (registrar, user name or password) start over, missing ones are unregistered.
   */
  /** Runs at the end of `close()`: releases what was opened for this edge (its data's LISTEN connection on PostgreSQL). */
  onClosed?: () => Promise<void>;
  trunkRegistrations?: { accounts: () => readonly RegistrationAccount[]; report: (key: string, status: RegistrationStatus) => void; pollMs?: number; timing?: RegistrationTiming };
  /** Calls (ringing or answered) held at once; further INVITEs are refused 503. Default 500. */
  maxCalls?: number;
  /**
   * The registrar for extensions' phones (digest authentication); without it REGISTER is refused 405.
   * `nonceSecret` signs nonces (derive it from the app secret so they survive a restart);
   * `password` returns an extension's SIP password, or null when it has none.
   */
  registrar?: { realm: string; nonceSecret: Buffer; password(extension: string): string | null };
  /** Renders prompts to 8 kHz PCM (PromptAudio: espeak-ng, sox and a cache). */
  prompts: Pick<PromptAudio, "pcm">;
  /**
   * The trunk calls to external numbers go out through, read for every call
   * (so a changed configuration applies to the next call); null or absent:
   * such calls fail (`leg.failed`, cause `no_trunk`).
   */
  outboundTrunk?: () => OutboundTrunk | null;
  /** Where recordings are written (WAV, as the simulated engine writes them); without it `startRecording` throws. */
  recordingsDir?: string;
}

/** Where and how calls to external numbers leave: `sip:<number>@<host>:<port>`. */
export interface OutboundTrunk {
  /** An IPv4 address or a host name (resolved per call; responses are taken only from the address it resolved to). */
  host: string;
  port: number;
  /** The account, when the provider challenges INVITEs (401/407 digest). */
  username?: string;
  password?: string;
  /** The number every call presents (From), when the provider accepts only its own; otherwise the call's caller id. */
  callerIdNumber?: string;
}

/** A trunk as the edge checks an INVITE against it. */
export interface InboundTrunk {
  name: string;
  /** Whether an INVITE from this source address and port is the trunk's. */
  sentFrom(source: Peer): boolean;
  /** Whether the trunk carries calls to this number (the Request-URI user). */
  carries(number: string): boolean;
}

/** One INVITE's dialog (theirs or ours), from its start until 32 s after it ended (for retransmitted BYEs and ACKs). */
interface DialogEntry<D extends InboundDialog | OutboundDialog = InboundDialog> {
  key: string;
  dialog: D;
  /** Null while the RTP port is being opened, and for refused INVITEs. */
  leg: SipLeg | null;
  linger: TimerHandle | null;
}

interface SipLeg {
  id: LegId;
  entry: DialogEntry<InboundDialog | OutboundDialog>;
  dialog: InboundDialog | OutboundDialog;
  media: RtpSession;
  /** The inbound caller's offer as negotiated; null for calls we place (their media is set from the phone's answer). */
  negotiated: NegotiatedMedia | null;
  /** The leg whose audio this one hears, while bridged. */
  bridgedWith: SipLeg | null;
  /** Bumped by every play and stop, so a prompt still being rendered knows it was superseded. */
  playToken: number;
  /** Resolves the play whose audio is still being rendered. */
  rendering: ((outcome: PlaybackOutcome) => void) | null;
  /** Whether the far end is one of our registered phones (only they may transfer: a trunk caller must not send calls out through the trunk). */
  phone: boolean;
  /** While call control decides on the leg's REFER: the cause it hung the leg up with (that is its yes), held back until our NOTIFY went out. */
  transferring: { hangupCause: string | null } | null;
  /** The CSeq of the REFER last answered 202: its retransmission (our 202 was lost) gets 202 again, not a second transfer. */
  referSeq: number | null;
}

/** What the far end hears when call control ends a call it never answered. */
const REFUSAL_FOR_CAUSE: Record<string, [number, string]> = {
  user_busy: [486, "Busy Here"],
  unallocated_number: [404, "Not Found"],
  no_published_flow: [404, "Not Found"],
  call_rejected: [603, "Decline"],
  closed_hours: [480, "Temporarily Unavailable"],
};
const DEFAULT_MAX_CALLS = 500;
/** What an external number may be: E.164 digits (an optional +), and * or # for providers' service codes. */
const EXTERNAL_NUMBER = /^\+?[0-9*#]{1,32}$/;
const INFO_DIGIT = /^\s*(?:Signal\s*=\s*)?([0-9*#A-D])\s*$/im;

export class SipEngine implements TelephonyEngine {
  private readonly legs = new Map<LegId, SipLeg>();
  private readonly dialogs = new Map<string, DialogEntry>();
  /** Calls we placed, by their Call-ID (ours, random). */
  private readonly outbound = new Map<string, DialogEntry<OutboundDialog>>();
  /** Originated legs still waiting for their RTP port; true once hung up meanwhile. */
  private readonly pendingOriginations = new Map<LegId, { cancelled: boolean }>();
  private readonly pacer: FramePacer;
  private readonly dialogContext: DialogContext;
  private readonly legIdPrefix = `sip-${randomBytes(4).toString("hex")}`;
  private legCounter = 0;
  /** Calls not yet ended, including INVITEs still waiting for their RTP port: what `maxCalls` bounds. */
  private activeCalls = 0;
  private listeners: EngineListener[] = [];
  private closed = false;
  private readonly registrar: Registrar | null;
  /** Recordings started and not yet collected by `stopRecording` (they outlive their leg until then). */
  private readonly recordings = new Map<LegId, LegRecorder>();
  /** Our registrations with trunks' providers, by their Call-ID. */
  private readonly trunkRegistrations = new Map<string, TrunkRegistration>();
  private registrationPoll: TimerHandle | null = null;

  private constructor(
    private readonly options: SipEngineOptions,
    private readonly transport: SipTransport,
    private readonly rtpPorts: RtpPorts,
    private readonly advertised: string,
  ) {
    this.pacer = new FramePacer(options.clock);
    this.registrar = options.registrar
      ? new Registrar({
          clock: options.clock,
          logger: options.logger,
          authenticator: new DigestAuthenticator(options.registrar.nonceSecret, options.registrar.realm),
          password: options.registrar.password,
        })
      : null;
    const sentBy = `${advertised}:${transport.local.port}`;
    this.dialogContext = {
      clock: options.clock,
      send: (message, to) => transport.send(message, to),
      contactUri: `sip:switchboard@${sentBy}`,
      sentBy,
    };
    transport.onMessage((message, source) => (message.kind === "request" ? this.onRequest(message, source) : this.onResponse(message, source)));
    if (options.trunkRegistrations) this.pollTrunkRegistrations(options.trunkRegistrations);
  }

  private pollTrunkRegistrations(source: NonNullable<SipEngineOptions["trunkRegistrations"]>): void {
    if (this.closed) return;
    try {
      this.syncTrunkRegistrations(source.accounts());
    } catch (error) {
      this.options.logger.error({ err: String(error) }, "SIP edge: the trunks' registration accounts could not be read");
    }
    this.registrationPoll = this.options.clock.setTimeout(() => this.pollTrunkRegistrations(source), source.pollMs ?? 5000);
  }

  static async start(options: SipEngineOptions): Promise<SipEngine> {
    const advertised = options.advertisedAddress ?? options.listen.address;
    if (advertised === "0.0.0.0") throw new Error("SIP edge: set advertisedAddress when listening on 0.0.0.0");
    const transport = await SipTransport.bind(options.listen.address, options.listen.port, options.logger, options.clock);
    return new SipEngine(options, transport, new RtpPorts(options.listen.address, options.rtpPorts ?? null), advertised);
  }

  /** Brings the registrations with trunks' providers in line with `accounts`. */
  private syncTrunkRegistrations(accounts: readonly RegistrationAccount[]): void {
    const wanted = new Map(accounts.map((account) => [account.key, account]));
    for (const [callId, registration] of this.trunkRegistrations) {
      const account = wanted.get(registration.account.key);
      if (account && sameAccount(account, registration.account)) {
        wanted.delete(account.key);
        continue;
      }
      registration.stop();
      this.trunkRegistrations.delete(callId);
    }
    if (this.closed) return;
    for (const account of wanted.values()) {
      const registration = new TrunkRegistration(
        {
          clock: this.options.clock,
          logger: this.options.logger,
          sentBy: this.dialogContext.sentBy,
          send: (message, to) => this.transport.send(message, to),
          resolve: async (host) => (await lookup(host, { family: 4 })).address,
          report: (key, status) => this.options.trunkRegistrations?.report(key, status),
        },
        account,
        this.options.trunkRegistrations?.timing,
      );
      this.trunkRegistrations.set(registration.callId, registration);
      registration.start();
    }
  }

  /** The phone registered for an extension, or null. */
  registration(extension: string): Binding | null {
    return this.registrar?.binding(extension) ?? null;
  }

  /** The SIP address the edge listens on. */
  get local(): Peer {
    return this.transport.local;
  }

  // ── TelephonyEngine ─────────────────────────────────────────────

  /**
   * Rings an extension's registered phone, or calls an external number through
   * the outbound trunk (INVITE with a PCMA/PCMU offer). An extension without a
   * registration is `leg.failed` (`offline`); an external number without a
   * trunk `no_trunk`, one the trunk's name cannot be resolved for `unreachable`.
   */
  originate(request: OriginateRequest): LegId {
    const id = this.newLegId();
    const fail = (cause: string) => {
      queueMicrotask(() => this.emit({ type: "leg.failed", legId: id, cause }));
      return id;
    };
    const { endpoint } = request;
    let target: Promise<OutboundTarget>;
    if (endpoint.kind === "extension") {
      const binding = this.registration(endpoint.extension);
      if (!binding) return fail("offline");
      const to = `sip:${binding.extension}@${this.dialogContext.sentBy}`;
      target = Promise.resolve({ uri: binding.contact, peer: binding.peer, to, fromUser: request.callerId.number });
    } else {
      const trunk = this.options.outboundTrunk?.() ?? null;
      if (!trunk) {
        this.options.logger.warn({ legId: id }, "SIP edge: a call to an external number failed: no outbound trunk is configured");
        return fail("no_trunk");
      }
      if (!EXTERNAL_NUMBER.test(endpoint.number)) {
        this.options.logger.warn({ legId: id, number: endpoint.number }, "SIP edge: a call to an external number failed: not a dialable number");
        return fail("invalid_number_format");
      }
      target = trunkTarget(trunk, endpoint.number, request.callerId.number);
    }
    const pending = { cancelled: false };
    this.pendingOriginations.set(id, pending);
    this.activeCalls++;
    // The port is opened only once the target is known, so a trunk name that does not resolve leaves no socket behind.
    target.then((resolved) => this.rtpPorts.open().then((socket) => [resolved, socket] as const)).then(
      ([resolved, socket]) => {
        this.pendingOriginations.delete(id);
        if (pending.cancelled || this.closed) {
          this.activeCalls--;
          socket.close();
          return;
        }
        this.placeCall(id, socket, resolved, request);
      },
      (error: unknown) => {
        this.pendingOriginations.delete(id);
        this.activeCalls--;
        this.options.logger.error({ legId: id, err: String(error) }, "SIP edge: a call could not be placed (no RTP port, or the trunk's name did not resolve)");
        if (!pending.cancelled) this.emit({ type: "leg.failed", legId: id, cause: "unreachable" });
      },
    );
    return id;
  }

  answer(legId: LegId): void {
    const leg = this.liveLeg(legId);
    const dialog = leg.dialog;
    if (!(dialog instanceof InboundDialog) || !leg.negotiated || dialog.state !== "offered") return;
    const sdp = answerSdp(leg.negotiated, { address: this.advertised, port: leg.media.port }, randomInt(1, 2 ** 31));
    dialog.accept(sdp, () => {
      // No ACK in 32 s: the caller is gone (RFC 3261 §13.3.1.4).
      if (dialog.state !== "answered") return;
      dialog.bye();
      this.endLeg(leg);
      this.emit({ type: "leg.hangup", legId, cause: "no_ack" });
    });
    this.pacer.add(leg.media);
  }

  /** Relays RTP between two answered legs (each keeps its own stream; PCMA ↔ PCMU transcoded); playback stops on both. */
  bridge(a: LegId, b: LegId): void {
    const first = this.liveLeg(a);
    const second = this.liveLeg(b);
    this.unbridgeLeg(first);
    this.unbridgeLeg(second);
    this.stopPlaybackOf(first);
    this.stopPlaybackOf(second);
    first.bridgedWith = second;
    second.bridgedWith = first;
    first.media.relayTo((payload, codec) => second.media.sendRelayed(payload, codec));
    second.media.relayTo((payload, codec) => first.media.sendRelayed(payload, codec));
  }

  unbridge(legId: LegId): void {
    const leg = this.legs.get(legId);
    if (leg) this.unbridgeLeg(leg);
  }

  play(legId: LegId, prompt: PromptToPlay): Promise<PlaybackOutcome> {
    const leg = this.legs.get(legId);
    if (!leg || leg.dialog.state === "ended") return Promise.resolve("stopped");
    this.stopPlaybackOf(leg);
    const token = leg.playToken;
    return new Promise((resolve) => {
      leg.rendering = resolve;
      this.options.prompts.pcm(prompt).then(
        (pcm) => {
          if (leg.playToken !== token) return;
          leg.rendering = null;
          const codec = leg.media.codec;
          if (!codec) return resolve("stopped");
          leg.media.play(encodeG711(codec, pcm), resolve);
        },
        (error: unknown) => {
          if (leg.playToken !== token) return;
          leg.rendering = null;
          // The flow must go on even when a prompt cannot be rendered; the caller hears silence.
          this.options.logger.error({ legId, err: String(error) }, "SIP edge: prompt could not be rendered");
          resolve("completed");
        },
      );
    });
  }

  stopPlayback(legId: LegId): void {
    const leg = this.legs.get(legId);
    if (leg) this.stopPlaybackOf(leg);
  }

  /**
   * Records what the leg hears and says, mixed into one mono WAV as the simulated engine
   * writes (8 kHz, 16-bit PCM); a second start while recording changes nothing.
   */
  startRecording(legId: LegId): void {
    const recordingsDir = this.options.recordingsDir;
    if (!recordingsDir) throw new Error("SIP edge: recording needs recordingsDir");
    const leg = this.liveLeg(legId);
    if (this.recordings.has(legId)) return;
    const recorder = LegRecorder.start(recordingsDir, this.options.clock);
    this.recordings.set(legId, recorder);
    leg.media.recordTo(recorder);
  }

  /** Finishes the file at once (synchronously: the final CDR carries its size and hash); works after the leg ended too. */
  stopRecording(legId: LegId, options?: { discard?: boolean }): RecordingFile | null {
    const recorder = this.recordings.get(legId);
    if (!recorder) return null;
    this.recordings.delete(legId);
    this.legs.get(legId)?.media.recordTo(null);
    if (options?.discard) {
      recorder.discard();
      return null;
    }
    return recorder.finish();
  }

  hangup(legId: LegId, cause: string): void {
    const pending = this.pendingOriginations.get(legId);
    if (pending) pending.cancelled = true;
    const leg = this.legs.get(legId);
    if (!leg || leg.dialog.state === "ended") return;
    if (leg.transferring) {
      leg.transferring.hangupCause = cause;
      return;
    }
    if (leg.dialog instanceof OutboundDialog) {
      leg.dialog.hangup();
    } else if (leg.dialog.state === "offered") {
      const [status, reason] = REFUSAL_FOR_CAUSE[cause] ?? [480, "Temporarily Unavailable"];
      leg.dialog.reject(status, reason);
    } else {
      leg.dialog.bye();
    }
    this.endLeg(leg);
  }

  subscribe(listener: EngineListener): () => void {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((existing) => existing !== listener);
    };
  }

  /** Stops listening and forgets every call (their far ends are not told). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.pacer.stop();
    if (this.registrationPoll) this.options.clock.clearTimeout(this.registrationPoll);
    this.syncTrunkRegistrations([]);
    for (const entry of [...this.dialogs.values(), ...this.outbound.values()]) this.forget(entry);
    // Recordings nobody collected belong to no CDR.
    for (const recorder of this.recordings.values()) recorder.discard();
    this.recordings.clear();
    await this.transport.close();
    await this.options.onClosed?.();
  }

  // ── SIP requests ────────────────────────────────────────────────

  private onRequest(request: SipRequest, source: Peer): void {
    const callId = headerValue(request, "call-id")!;
    const placed = this.outbound.get(callId);
    // Only the phone we called speaks in our call (by its registered address); anyone else guessing the Call-ID is ignored.
    if (placed) {
      if (source.address !== placed.dialog.target.peer.address) return;
      return request.method === "REFER" ? this.onRefer(request, placed) : placed.dialog.onRequest(request);
    }
    const fromTag = tagOf(headerValue(request, "from"));
    const entry = fromTag ? this.dialogs.get(dialogKey(callId, fromTag)) : undefined;
    const toTag = tagOf(headerValue(request, "to"));
    if (request.method === "ACK") {
      // An ACK for a call we do not know needs no answer (RFC 3261 §17.2.3).
      if (entry && toTag === entry.dialog.toTag) entry.dialog.ack();
      return;
    }
    if (request.method === "CANCEL") return this.onCancel(request, entry, source);
    if (toTag === null) {
      if (request.method === "INVITE") return this.onInvite(request, entry, source);
      if (request.method === "REGISTER" && this.registrar) return this.transport.send(this.registrar.register(request, source), source);
      if (request.method === "OPTIONS") return this.transport.send(this.optionsResponse(request), source);
      if (request.method === "REFER") {
        // RFC 3515 allows a REFER outside a dialog; the edge transfers only calls it holds.
        this.options.logger.warn({ from: `${source.address}:${source.port}` }, "SIP edge: REFER outside a call refused");
        return this.transport.send(responseTo(request, 403, "Forbidden (REFER only inside a call)", { toTag: newTag() }), source);
      }
      return this.transport.send(responseTo(request, 405, "Method Not Allowed", { headers: [{ name: "allow", value: ALLOWED_METHODS }] }), source);
    }
    if (!entry || toTag !== entry.dialog.toTag) {
      if (request.method === "REFER") this.options.logger.warn({ from: `${source.address}:${source.port}` }, "SIP edge: REFER for an unknown call refused");
      return this.transport.send(responseTo(request, 481, "Call/Transaction Does Not Exist"), source);
    }
    this.onInDialogRequest(request, entry);
  }

  private onInvite(invite: SipRequest, existing: DialogEntry | undefined, source: Peer): void {
    if (existing) return existing.dialog.resendLastResponse();
    const refuse = (status: number, reason: string, problem: string) => {
      this.options.logger.warn({ from: `${source.address}:${source.port}`, status, problem }, "SIP edge: INVITE refused");
      this.transport.send(responseTo(invite, status, reason, { toTag: newTag() }), source);
    };
    // From a trunk: anyone calling the numbers it carries. From anywhere else: one of our phones, proven by its SIP password.
    const trunks = this.trunksSending(source);
    let caller: { extension: string } | null = null;
    if (!trunks) {
      if (!this.registrar) return refuse(403, "Forbidden", "not from a configured trunk");
      const verdict = this.registrar.authenticateCall(invite, source);
      if ("refusal" in verdict) return this.transport.send(verdict.refusal, source);
      caller = verdict;
    }
    if (headerValue(invite, "max-forwards") === "0") return refuse(483, "Too Many Hops", "Max-Forwards reached 0");
    if (this.activeCalls >= (this.options.maxCalls ?? DEFAULT_MAX_CALLS)) return refuse(503, "Service Unavailable", "too many calls");
    const fromTag = tagOf(headerValue(invite, "from"));
    if (!fromTag) return refuse(400, "Bad Request (From without tag)", "From without tag");
    const to = parseSipUri(invite.uri)?.user ?? userOf(headerValue(invite, "to"));
    if (!to) return refuse(404, "Not Found", "no number in the Request-URI");
    if (trunks && trunks !== "any" && !trunks.some((trunk) => trunk.carries(to))) {
      return refuse(404, "Not Found", `number ${to} is not carried by trunk ${trunks.map((trunk) => trunk.name).join(", ")}`);
    }
    const contentType = headerValue(invite, "content-type")?.toLowerCase() ?? "";
    if (invite.body.length === 0 || !contentType.startsWith("application/sdp")) {
      return refuse(488, "Not Acceptable Here", "INVITE without an SDP offer");
    }
    const negotiation = negotiateOffer(invite.body.toString("utf8"));
    const dialog = new InboundDialog(this.dialogContext, invite, source);
    const entry: DialogEntry = { key: dialogKey(callIdOf(invite), fromTag), dialog, leg: null, linger: null };
    this.dialogs.set(entry.key, entry);
    if (!negotiation.ok) {
      this.options.logger.warn({ from: `${source.address}:${source.port}`, problem: negotiation.problem }, "SIP edge: INVITE refused");
      dialog.reject(488, "Not Acceptable Here", [{ name: "warning", value: `304 switchboard "${negotiation.problem}"` }]);
      return this.lingerThenForget(entry);
    }
    dialog.provisional(100, "Trying");
    this.activeCalls++;
    this.rtpPorts.open().then(
      (socket) => {
        if (dialog.state !== "offered" || this.closed) {
          this.activeCalls--;
          socket.close();
          return;
        }
        const id = this.newLegId();
        const leg: SipLeg = {
          id,
          entry,
          dialog,
          negotiated: negotiation.media,
          media: new RtpSession(socket, negotiation.media, { digit: (digit) => this.onDigit(leg, digit) }, this.options.logger),
          bridgedWith: null,
          playToken: 0,
          rendering: null,
          phone: caller !== null,
          transferring: null,
          referSeq: null,
        };
        entry.leg = leg;
        this.legs.set(id, leg);
        dialog.provisional(180, "Ringing");
        const from = caller?.extension ?? userOf(headerValue(invite, "from")) ?? "anonymous";
        this.emit({ type: "leg.incoming", legId: id, from, to, viaTrunk: caller === null });
      },
      (error: unknown) => {
        this.activeCalls--;
        this.options.logger.error({ err: String(error) }, "SIP edge: no RTP port for a new call");
        dialog.reject(503, "Service Unavailable");
        this.lingerThenForget(entry);
      },
    );
  }

  private onCancel(cancel: SipRequest, entry: DialogEntry | undefined, source: Peer): void {
    // A CANCEL names its INVITE by the same top Via (RFC 3261 §9.2).
    if (!entry || headerValue(cancel, "via") !== headerValue(entry.dialog.invite, "via")) {
      return this.transport.send(responseTo(cancel, 481, "Call/Transaction Does Not Exist"), source);
    }
    entry.dialog.respond(cancel, 200, "OK");
    if (entry.dialog.state !== "offered") return;
    entry.dialog.reject(487, "Request Terminated");
    if (!entry.leg) return this.lingerThenForget(entry); // still waiting for its RTP port: call control never saw it
    this.endLeg(entry.leg);
    this.emit({ type: "leg.hangup", legId: entry.leg.id, cause: "originator_cancel" });
  }

  private onInDialogRequest(request: SipRequest, entry: DialogEntry): void {
    const { dialog, leg } = entry;
    if (!leg) return dialog.respond(request, 481, "Call/Transaction Does Not Exist");
    switch (request.method) {
      case "BYE": {
        dialog.respond(request, 200, "OK");
        if (dialog.state === "ended") return;
        dialog.endedByPeer();
        this.endLeg(leg);
        this.emit({ type: "leg.hangup", legId: leg.id, cause: "normal_clearing" });
        return;
      }
      case "INFO": {
        // SIP INFO digits (application/dtmf-relay, application/dtmf): the fallback for peers without RFC 4733.
        const type = headerValue(request, "content-type")?.toLowerCase() ?? "";
        const digit = /^application\/dtmf(-relay)?\b/.test(type) ? INFO_DIGIT.exec(request.body.toString("utf8"))?.[1] : undefined;
        dialog.respond(request, digit || request.body.length === 0 ? 200 : 415, digit || request.body.length === 0 ? "OK" : "Unsupported Media Type");
        if (digit) this.onDigit(leg, digit.toUpperCase());
        return;
      }
      case "OPTIONS":
        return dialog.respond(request, 200, "OK", [{ name: "allow", value: ALLOWED_METHODS }]);
      case "INVITE":
        // Re-INVITEs (hold, session refresh) are a later stage; refusing one leaves the session as it was (RFC 3261 §14.2).
        return dialog.respond(request, 488, "Not Acceptable Here");
      case "REFER":
        return this.onRefer(request, entry);
      default:
        return dialog.respond(request, 405, "Method Not Allowed", [{ name: "allow", value: ALLOWED_METHODS }]);
    }
  }

  /**
   * A phone's REFER inside its answered call: a blind transfer (RFC 5589 §6). 202, then call control is asked
   * (`transfer.requested`); it accepts by hanging the phone's leg up, which waits until the NOTIFY with the
   * outcome (`200 OK`, or `603 Declined`) went out, so the phone hears the outcome before our BYE.
   * Attended transfer (Refer-To with Replaces) is refused in the NOTIFY with `501 Not Implemented`.
   */
  private onRefer(refer: SipRequest, entry: DialogEntry<InboundDialog | OutboundDialog>): void {
    const { dialog, leg } = entry;
    const refuse = (status: number, reason: string, problem: string) => {
      this.options.logger.warn({ legId: leg?.id, status, problem }, "SIP edge: REFER refused");
      dialog.respond(refer, status, reason);
    };
    const seq = parseCSeq(headerValue(refer, "cseq")!)!.seq;
    const accepted = () => dialog.respond(refer, 202, "Accepted", [{ name: "contact", value: `<${this.dialogContext.contactUri}>` }]);
    // The NOTIFY for it already went out and repeats until answered.
    if (leg && leg.referSeq === seq) return accepted();
    if (!leg || dialog.state !== "answered") return refuse(481, "Call/Transaction Does Not Exist", "the call is not answered");
    if (!leg.phone) return refuse(403, "Forbidden", "only our phones transfer calls");
    const asked = readRefer(refer);
    if (asked.kind === "unusable") return refuse(400, `Bad Request (${asked.problem})`, asked.problem);
    leg.referSeq = seq;
    accepted();
    let outcome: [number, string] = [501, "Not Implemented"];
    let hangupCause: string | null = null;
    if (asked.kind === "blind") {
      leg.transferring = { hangupCause: null };
      try {
        this.emit({ type: "transfer.requested", legId: leg.id, to: asked.to, mode: "blind" });
      } finally {
        hangupCause = leg.transferring.hangupCause;
        leg.transferring = null;
      }
      outcome = hangupCause === null ? [603, "Declined"] : [200, "OK"];
    }
    this.options.logger.info({ legId: leg.id, to: asked.to, mode: asked.kind, status: outcome[0] }, "SIP edge: transfer by REFER");
    const notify = referNotify(seq, ...outcome);
    dialog.request("NOTIFY", notify.headers, notify.body);
    if (hangupCause !== null) this.hangup(leg.id, hangupCause);
  }

  /** The trunks an INVITE from `source` may be from: "any" DID for a `trustedPeers` address, null for nobody's. */
  private trunksSending(source: Peer): readonly InboundTrunk[] | "any" | null {
    if (this.options.trustedPeers?.includes(source.address)) return "any";
    const trunks = this.options.trunks?.().filter((trunk) => trunk.sentFrom(source)) ?? [];
    return trunks.length > 0 ? trunks : null;
  }

  private onResponse(response: SipResponse, source: Peer): void {
    const callId = headerValue(response, "call-id")!;
    const registration = this.trunkRegistrations.get(callId);
    if (registration) return registration.onResponse(response, source);
    const placed = this.outbound.get(callId);
    if (placed) {
      if (source.address === placed.dialog.target.peer.address) placed.dialog.onResponse(response);
      return;
    }
    const remoteTag = tagOf(headerValue(response, "to"));
    if (remoteTag) this.dialogs.get(dialogKey(callId, remoteTag))?.dialog.onResponse(response);
  }

  private optionsResponse(request: SipRequest): SipResponse {
    return responseTo(request, 200, "OK", {
      headers: [
        { name: "allow", value: ALLOWED_METHODS },
        { name: "accept", value: "application/sdp" },
      ],
    });
  }

  // ── calls we place ──────────────────────────────────────────────

  private placeCall(id: LegId, socket: Socket, target: OutboundTarget, request: OriginateRequest): void {
    const media = new RtpSession(socket, null, { digit: (digit) => this.onDigit(leg, digit) }, this.options.logger);
    const offer = offerSdp({ address: this.advertised, port: media.port }, randomInt(1, 2 ** 31));
    const dialog: OutboundDialog = new OutboundDialog(
      this.dialogContext,
      target,
      request.callerId,
      offer,
      {
        ringing: () => this.emit({ type: "leg.ringing", legId: id }),
        answered: (sdp) => this.onPhoneAnswered(leg, dialog, sdp),
        refused: (status) => {
          this.endLeg(leg);
          if (status === 486 || status === 600 || status === 603) this.emit({ type: "leg.busy", legId: id, cause: "user_busy" });
          else this.emit({ type: "leg.failed", legId: id, cause: "offline" });
        },
        hungUp: () => {
          this.endLeg(leg);
          this.emit({ type: "leg.hangup", legId: id, cause: "normal_clearing" });
        },
      },
      { autoAnswer: request.autoAnswer },
    );
    const entry: DialogEntry<OutboundDialog> = { key: dialog.callId, dialog, leg: null, linger: null };
    const phone = request.endpoint.kind === "extension";
    const leg: SipLeg = { id, entry, dialog, media, negotiated: null, bridgedWith: null, playToken: 0, rendering: null, phone, transferring: null, referSeq: null };
    entry.leg = leg;
    this.outbound.set(entry.key, entry);
    this.legs.set(id, leg);
    dialog.start();
  }

  private onPhoneAnswered(leg: SipLeg, dialog: OutboundDialog, sdp: string): void {
    const answer = negotiateOffer(sdp);
    if (!answer.ok) {
      this.options.logger.warn({ legId: leg.id, problem: answer.problem }, "SIP edge: phone answered with unusable SDP");
      dialog.hangup();
      this.endLeg(leg);
      return this.emit({ type: "leg.failed", legId: leg.id, cause: "incompatible_destination" });
    }
    leg.media.connect(answer.media);
    this.pacer.add(leg.media);
    this.emit({ type: "leg.answered", legId: leg.id });
  }

  // ── legs and media ──────────────────────────────────────────────

  private newLegId(): LegId {
    return `${this.legIdPrefix}-${(++this.legCounter).toString(36)}`;
  }

  private unbridgeLeg(leg: SipLeg): void {
    const other = leg.bridgedWith;
    if (!other) return;
    leg.bridgedWith = null;
    other.bridgedWith = null;
    leg.media.relayTo(null);
    other.media.relayTo(null);
  }

  private onDigit(leg: SipLeg, digit: string): void {
    if (leg.dialog.state === "answered") this.emit({ type: "dtmf", legId: leg.id, digit });
  }

  private stopPlaybackOf(leg: SipLeg): void {
    leg.playToken++;
    const rendering = leg.rendering;
    leg.rendering = null;
    rendering?.("stopped");
    leg.media.stopPlayback();
  }

  /** The leg is over: media closed at once, the dialog kept 32 s for retransmitted BYEs and ACKs. */
  private endLeg(leg: SipLeg): void {
    this.activeCalls--;
    this.recordings.get(leg.id)?.end();
    this.unbridgeLeg(leg);
    this.stopPlaybackOf(leg);
    this.pacer.remove(leg.media);
    leg.media.close();
    this.lingerThenForget(leg.entry);
  }

  private lingerThenForget(entry: DialogEntry<InboundDialog | OutboundDialog>): void {
    entry.linger ??= this.options.clock.setTimeout(() => this.forget(entry), TRANSACTION_LIFETIME_MS);
  }

  private forget(entry: DialogEntry<InboundDialog | OutboundDialog>): void {
    if (entry.linger) this.options.clock.clearTimeout(entry.linger);
    entry.linger = null;
    entry.dialog.dispose();
    if (entry.leg) {
      entry.leg.media.close();
      this.legs.delete(entry.leg.id);
    }
    if (this.dialogs.get(entry.key) === entry) this.dialogs.delete(entry.key);
    if (this.outbound.get(entry.key) === entry) this.outbound.delete(entry.key);
  }

  private liveLeg(legId: LegId): SipLeg {
    const leg = this.legs.get(legId);
    if (!leg || leg.dialog.state === "ended") throw new TelephonyError("no_such_leg", `leg ${legId} is not active`);
    return leg;
  }

  private emit(event: EngineEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

function sameAccount(a: RegistrationAccount, b: RegistrationAccount): boolean {
  return a.registrar.host === b.registrar.host && a.registrar.port === b.registrar.port && a.domain === b.domain && a.username === b.username && a.password === b.password;
}

function dialogKey(callId: string, remoteTag: string): string {
  return `${callId}\n${remoteTag}`;
}

function callIdOf(request: SipRequest): string {
  return headerValue(request, "call-id")!;
}

/** Where a call to `number` goes through the trunk; the host is resolved now, so responses can be checked against its address. */
async function trunkTarget(trunk: OutboundTrunk, number: string, callerNumber: string): Promise<OutboundTarget> {
  const { address } = await lookup(trunk.host, { family: 4 });
  const hostPort = `${trunk.host}:${trunk.port}`;
  const credentials = trunk.username && trunk.password !== undefined ? { username: trunk.username, password: trunk.password } : undefined;
  return {
    uri: `sip:${number}@${hostPort}`,
    peer: { address, port: trunk.port },
    to: `sip:${number}@${hostPort}`,
    fromUser: trunk.callerIdNumber || callerNumber,
    credentials,
  };
}
