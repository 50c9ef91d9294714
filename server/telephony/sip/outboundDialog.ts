/**
 * The signalling of one call the edge places, to a registered phone or out
 * through the trunk, as the UAC (RFC 3261 §13.2, §17.1.1, §9.1, §15, §22.2):
 * the INVITE with our SDP offer, repeated until the far end answers anything
 * (timer A, given up after timer B); one digest answer to a 401/407 when the
 * target has credentials (a trunk); ACK for its final response; CANCEL while
 * it rings; BYE once answered; and the far end's own BYE. Media and engine
 * events are the engine's business.
 */
import { randomBytes, randomInt } from "node:crypto";
import { parseNameAddress, tagOf } from "./address";
import { answerChallenge } from "./digest";
import { ALLOWED_METHODS, newBranch, newTag, type DialogContext } from "./inboundDialog";
import { headerValue, headerValues, parseCSeq, responseTo, type SipHeader, type SipRequest, type SipResponse } from "./message";
import { Retransmission } from "./retransmit";
import type { Peer } from "./transport";

export type OutboundState = "calling" | "ringing" | "answered" | "ended";

export interface OutboundDialogEvents {
  ringing(): void;
  /** 2xx with the phone's SDP answer. */
  answered(sdp: string): void;
  /** A final refusal (3xx–6xx) or no response at all (status null, after timer B). */
  refused(status: number | null): void;
  /** The phone hung up (BYE). */
  hungUp(): void;
}

export interface OutboundTarget {
  /** The Request-URI: the Contact a phone registered, or `sip:<number>@<trunk>`. */
  uri: string;
  /** Where requests go: where the phone's REGISTER came from, or the trunk's address. */
  peer: Peer;
  /** The To URI: the extension's address of record, or the number at the trunk. */
  to: string;
  /** The user name the From URI carries: the presented caller id, or a trunk's fixed one. */
  fromUser: string;
  /** A trunk's account: answers one 401/407 challenge per INVITE. */
  credentials?: { username: string; password: string };
}

export class OutboundDialog {
  state: OutboundState = "calling";
  readonly callId = `${randomBytes(12).toString("hex")}@switchboard`;
  private readonly fromTag = newTag();
  private inviteBranch = newBranch();
  private invite: SipRequest;
  /** The INVITE transaction a challenge ended (answered once; a second challenge is a refusal): its retransmitted 401/407 is ACKed again. */
  private challenged: { branch: string; seq: number } | null = null;
  private remoteTag: string | null = null;
  private remoteTarget: string;
  private routeSet: string[] = [];
  private localSeq = randomInt(1, 2 ** 16);
  private inviteSeq = this.localSeq;
  private inviteRetransmission: Retransmission | null = null;
  /** Our CANCEL, NOTIFY or BYE, each repeated until answered, by `${CSeq number} ${method}`. */
  private readonly pending = new Map<string, Retransmission>();

  constructor(
    private readonly context: DialogContext,
    readonly target: OutboundTarget,
    caller: { number: string; name: string | null },
    sdp: string,
    private readonly events: OutboundDialogEvents,
    options: { autoAnswer?: boolean } = {},
  ) {
    this.remoteTarget = target.uri;
    const display = caller.name ? `"${caller.name.replace(/["\\\r\n]/g, "")}" ` : "";
    const number = /^[+\w.-]+$/.test(target.fromUser) ? target.fromUser : "anonymous";
    this.invite = {
      kind: "request",
      method: "INVITE",
      uri: target.uri,
      headers: [
        this.via(this.inviteBranch),
        { name: "max-forwards", value: "70" },
        { name: "from", value: `${display}<sip:${number}@${context.sentBy}>;tag=${this.fromTag}` },
        { name: "to", value: `<${target.to}>` },
        { name: "call-id", value: this.callId },
        { name: "cseq", value: `${this.inviteSeq} INVITE` },
        { name: "contact", value: `<${context.contactUri}>` },
        { name: "allow", value: ALLOWED_METHODS },
        ...(options.autoAnswer ? [{ name: "call-info", value: `<${context.contactUri}>;answer-after=0` }] : []),
        { name: "content-type", value: "application/sdp" },
      ],
      body: Buffer.from(sdp, "utf8"),
    };
  }

  start(): void {
    this.inviteRetransmission?.stop();
    this.inviteRetransmission = new Retransmission(
      this.context.clock,
      () => this.context.send(this.invite, this.target.peer),
      () => {
        this.inviteRetransmission = null;
        if (this.state !== "calling") return;
        this.state = "ended";
        this.events.refused(null);
      },
    );
  }

  onResponse(response: SipResponse): void {
    const cseq = parseCSeq(headerValue(response, "cseq") ?? "");
    if (!cseq) return;
    if (cseq.method === "INVITE" && cseq.seq === this.inviteSeq) return this.onInviteResponse(response);
    if (cseq.method === "INVITE" && cseq.seq === this.challenged?.seq && response.status >= 300) {
      // Our ACK of the challenge was lost: the challenge comes again and is ACKed in its own transaction.
      return this.context.send(this.ackFor(response, this.challenged.branch, this.challenged.seq), this.target.peer);
    }
    const key = `${cseq.seq} ${cseq.method}`;
    if (response.status >= 200) {
      this.pending.get(key)?.stop();
      this.pending.delete(key);
    }
  }

  /** A request from the phone inside this call (its BYE, OPTIONS, INFO…; the engine takes REFER). */
  onRequest(request: SipRequest): void {
    if (request.method === "ACK") return;
    if (request.method === "BYE") {
      this.respond(request, 200, "OK");
      if (this.state !== "answered") return;
      this.state = "ended";
      this.stopTimers();
      return this.events.hungUp();
    }
    if (request.method === "OPTIONS" || request.method === "INFO") return this.respond(request, 200, "OK");
    // Re-INVITEs (hold) are a later stage; refusing leaves the session as it was (RFC 3261 §14.2).
    if (request.method === "INVITE") return this.respond(request, 488, "Not Acceptable Here");
    this.respond(request, 405, "Method Not Allowed", [{ name: "allow", value: ALLOWED_METHODS }]);
  }

  /** Ends the call from our side: CANCEL while it rings, BYE once answered. Emits nothing. */
  hangup(): void {
    if (this.state === "calling" || this.state === "ringing") {
      this.state = "ended";
      // The CANCEL names the INVITE by its branch and sequence (RFC 3261 §9.1); the phone answers the INVITE 487, which we ACK.
      this.sendRepeated(
        {
          kind: "request",
          method: "CANCEL",
          uri: this.invite.uri,
          headers: [this.via(this.inviteBranch), { name: "max-forwards", value: "70" }, ...this.copy(this.invite, ["from", "to", "call-id"]), { name: "cseq", value: `${this.inviteSeq} CANCEL` }],
          body: Buffer.alloc(0),
        },
        this.inviteSeq,
      );
      return;
    }
    if (this.state === "answered") {
      this.state = "ended";
      this.sendBye();
    }
  }

  /** Sends a request inside the answered call (a NOTIFY), repeated until answered. */
  request(method: string, headers: SipHeader[] = [], body: Buffer = Buffer.alloc(0)): void {
    if (this.state !== "answered") return;
    const seq = ++this.localSeq;
    this.sendRepeated(this.inDialogRequest(method, seq, [{ name: "contact", value: `<${this.context.contactUri}>` }, ...headers], body), seq);
  }

  dispose(): void {
    this.stopTimers();
    for (const retransmission of this.pending.values()) retransmission.stop();
    this.pending.clear();
  }

  private onInviteResponse(response: SipResponse): void {
    this.inviteRetransmission?.stop();
    this.inviteRetransmission = null;
    const status = response.status;
    if (status < 200) {
      if ((status === 180 || status === 183) && this.state === "calling") {
        this.state = "ringing";
        this.events.ringing();
      }
      return;
    }
    if (status >= 300) {
      // ACK for a refusal is part of the INVITE transaction: same branch (RFC 3261 §17.1.1.3).
      this.context.send(this.ackFor(response, this.inviteBranch), this.target.peer);
      if ((status === 401 || status === 407) && this.state !== "ended" && this.answerChallenge(response)) return;
      if (this.state === "calling" || this.state === "ringing") {
        this.state = "ended";
        this.events.refused(status);
      }
      return;
    }
    const firstAnswer = this.remoteTag === null;
    if (firstAnswer) {
      this.remoteTag = tagOf(headerValue(response, "to")) ?? "";
      this.remoteTarget = parseNameAddress(headerValue(response, "contact") ?? "")?.uri ?? this.target.uri;
      this.routeSet = headerValues(response, "record-route").reverse();
    }
    // A 2xx is ACKed end to end, in a new transaction, every time it arrives (RFC 3261 §13.2.2.4).
    this.context.send(this.ackFor(response, newBranch()), this.target.peer);
    if (!firstAnswer) return;
    if (this.state === "ended") {
      // Answered while our CANCEL was on its way: the call exists, so end it properly.
      return this.sendBye();
    }
    this.state = "answered";
    this.events.answered(response.body.toString("utf8"));
  }

  /** Sends the INVITE again with the digest answer (a new transaction: new branch, next CSeq); false when it cannot. */
  private answerChallenge(response: SipResponse): boolean {
    const credentials = this.target.credentials;
    if (!credentials || this.challenged) return false;
    const proxy = response.status === 407;
    const challenge = headerValue(response, proxy ? "proxy-authenticate" : "www-authenticate");
    const authorization = challenge ? answerChallenge(challenge, { ...credentials, method: "INVITE", uri: this.invite.uri }) : null;
    if (!authorization) return false;
    this.challenged = { branch: this.inviteBranch, seq: this.inviteSeq };
    this.inviteBranch = newBranch();
    this.inviteSeq = ++this.localSeq;
    const rewritten = this.invite.headers.flatMap((header): SipHeader[] => {
      if (header.name === "via") return [this.via(this.inviteBranch)];
      if (header.name === "cseq") return [{ name: "cseq", value: `${this.inviteSeq} INVITE` }];
      if (header.name === "content-type") return [{ name: proxy ? "proxy-authorization" : "authorization", value: authorization }, header];
      return [header];
    });
    this.invite = { ...this.invite, headers: rewritten };
    this.start();
    return true;
  }

  private ackFor(response: SipResponse, branch: string, seq = this.inviteSeq): SipRequest {
    const inDialog = response.status < 300;
    return {
      kind: "request",
      method: "ACK",
      uri: inDialog ? this.remoteTarget : this.invite.uri,
      headers: [
        this.via(branch),
        ...(inDialog ? this.routeSet.map((route) => ({ name: "route", value: route })) : []),
        { name: "max-forwards", value: "70" },
        ...this.copy(this.invite, ["from"]),
        { name: "to", value: headerValue(response, "to")! },
        { name: "call-id", value: this.callId },
        { name: "cseq", value: `${seq} ACK` },
      ],
      body: Buffer.alloc(0),
    };
  }

  private sendBye(): void {
    const seq = ++this.localSeq;
    this.sendRepeated(this.inDialogRequest("BYE", seq, [], Buffer.alloc(0)), seq);
  }

  private inDialogRequest(method: string, seq: number, headers: SipHeader[], body: Buffer): SipRequest {
    return {
      kind: "request",
      method,
      uri: this.remoteTarget,
      headers: [
        this.via(newBranch()),
        ...this.routeSet.map((route) => ({ name: "route", value: route })),
        { name: "max-forwards", value: "70" },
        ...this.copy(this.invite, ["from"]),
        { name: "to", value: `${headerValue(this.invite, "to")};tag=${this.remoteTag}` },
        { name: "call-id", value: this.callId },
        { name: "cseq", value: `${seq} ${method}` },
        ...headers,
      ],
      body,
    };
  }

  private sendRepeated(request: SipRequest, seq: number): void {
    const key = `${seq} ${request.method}`;
    this.pending.set(
      key,
      new Retransmission(
        this.context.clock,
        () => this.context.send(request, this.target.peer),
        () => this.pending.delete(key),
      ),
    );
  }

  respond(request: SipRequest, status: number, reason: string, headers: SipHeader[] = []): void {
    this.context.send(responseTo(request, status, reason, { headers }), this.target.peer);
  }

  private stopTimers(): void {
    this.inviteRetransmission?.stop();
    this.inviteRetransmission = null;
  }

  private via(branch: string): SipHeader {
    return { name: "via", value: `SIP/2.0/UDP ${this.context.sentBy};branch=${branch};rport` };
  }

  private copy(request: SipRequest, names: string[]): SipHeader[] {
    return names.map((name) => ({ name, value: headerValue(request, name)! }));
  }
}
