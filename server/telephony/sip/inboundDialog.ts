/**
 * The signalling of one inbound call, as the UAS (RFC 3261 §13.3, §12.1.1,
 * §15): provisional and final responses to the INVITE, repeated until the
 * ACK; responses to requests inside the dialog; and our own BYE, repeated
 * until answered. Media and engine events are the engine's business.
 *
 * Requests of ours go to the address the INVITE came from (a trunk or proxy
 * in front of the caller), with the INVITE's Contact as Request-URI and its
 * Record-Route as Route set, which is what a trunk expects.
 */
import { randomBytes, randomInt } from "node:crypto";
import type { Clock } from "@/flows/runtime/ports";
import { headerValue, headerValues, parseCSeq, responseTo, type SipHeader, type SipRequest, type SipResponse } from "./message";
import { parseNameAddress } from "./address";
import { Retransmission } from "./retransmit";
import type { Peer } from "./transport";

export interface DialogContext {
  clock: Clock;
  send(message: SipRequest | SipResponse, to: Peer): void;
  /** Our Contact URI, e.g. `sip:switchboard@192.0.2.1:5060`. */
  contactUri: string;
  /** Our sent-by for Via headers, e.g. `192.0.2.1:5060`. */
  sentBy: string;
}

export type DialogState = "offered" | "answered" | "ended";

/** Methods the edge understands; sent in Allow headers. */
export const ALLOWED_METHODS = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, REFER";

export function newTag(): string {
  return randomBytes(8).toString("hex");
}

export function newBranch(): string {
  // The magic cookie marks an RFC 3261 branch (§8.1.1.7).
  return `z9hG4bK${randomBytes(10).toString("hex")}`;
}

export class InboundDialog {
  state: DialogState = "offered";
  readonly toTag = newTag();
  private lastResponse: SipResponse | null = null;
  private inviteRetransmission: Retransmission | null = null;
  /** Our requests inside the dialog (NOTIFY, BYE), each repeated until answered, by `${CSeq number} ${method}`. */
  private readonly pending = new Map<string, Retransmission>();
  private localSeq = randomInt(1, 2 ** 16);

  constructor(
    private readonly context: DialogContext,
    readonly invite: SipRequest,
    readonly peer: Peer,
  ) {}

  /** 1xx: remembered, so a retransmitted INVITE gets it again. */
  provisional(status: number, reason: string): void {
    if (this.state !== "offered") return;
    const response = this.response(this.invite, status, reason, status === 100 ? [] : [this.contactHeader()]);
    this.lastResponse = response;
    this.context.send(response, this.peer);
  }

  /** 200 OK with our SDP answer, repeated until the ACK; `onAckTimeout` when none comes in 32 s. */
  accept(sdp: string, onAckTimeout: () => void): void {
    if (this.state !== "offered") return;
    this.state = "answered";
    const recordRoutes = this.invite.headers.filter((header) => header.name === "record-route");
    const response = this.response(this.invite, 200, "OK", [
      ...recordRoutes,
      this.contactHeader(),
      { name: "allow", value: ALLOWED_METHODS },
      { name: "content-type", value: "application/sdp" },
    ]);
    response.body = Buffer.from(sdp, "utf8");
    this.repeatUntilAck(response, onAckTimeout);
  }

  /** A final refusal (4xx–6xx), repeated until the ACK. Ends the dialog. */
  reject(status: number, reason: string, headers: SipHeader[] = []): void {
    if (this.state !== "offered") return;
    this.state = "ended";
    this.repeatUntilAck(this.response(this.invite, status, reason, headers), () => undefined);
  }

  /** A retransmitted INVITE: the last response goes out again. */
  resendLastResponse(): void {
    if (this.lastResponse) this.context.send(this.lastResponse, this.peer);
  }

  ack(): void {
    this.inviteRetransmission?.stop();
    this.inviteRetransmission = null;
  }

  /** Answers a request inside the dialog (BYE, CANCEL, INFO, OPTIONS…). */
  respond(request: SipRequest, status: number, reason: string, headers: SipHeader[] = []): void {
    this.context.send(this.response(request, status, reason, headers), this.peer);
  }

  /** The caller hung up (BYE): an INVITE still unanswered gets its 487 (RFC 3261 §15.1.2), every repetition stops. */
  endedByPeer(): void {
    if (this.state === "offered") return this.reject(487, "Request Terminated");
    this.state = "ended";
    this.ack();
  }

  /** Ends an answered call from our side: BYE, repeated until answered. */
  bye(): void {
    if (this.state !== "answered") return;
    this.state = "ended";
    this.ack();
    this.request("BYE");
  }

  /** Sends a request inside the answered dialog (a NOTIFY), repeated until answered. */
  request(method: string, headers: SipHeader[] = [], body: Buffer = Buffer.alloc(0)): void {
    if (method !== "BYE" && this.state !== "answered") return;
    const seq = ++this.localSeq;
    const key = `${seq} ${method}`;
    const request = this.inDialogRequest(method, seq, headers, body);
    this.pending.set(
      key,
      new Retransmission(
        this.context.clock,
        () => this.context.send(request, this.peer),
        () => this.pending.delete(key),
      ),
    );
  }

  /** A response to a request of ours: any final one ends its repetition. */
  onResponse(response: SipResponse): void {
    const cseq = parseCSeq(headerValue(response, "cseq") ?? "");
    if (!cseq || response.status < 200) return;
    const key = `${cseq.seq} ${cseq.method}`;
    this.pending.get(key)?.stop();
    this.pending.delete(key);
  }

  /** Stops every timer; the dialog is forgotten. */
  dispose(): void {
    this.ack();
    for (const retransmission of this.pending.values()) retransmission.stop();
    this.pending.clear();
  }

  private repeatUntilAck(response: SipResponse, onTimeout: () => void): void {
    this.lastResponse = response;
    this.inviteRetransmission?.stop();
    this.inviteRetransmission = new Retransmission(
      this.context.clock,
      () => this.context.send(response, this.peer),
      () => {
        this.inviteRetransmission = null;
        onTimeout();
      },
    );
  }

  private response(request: SipRequest, status: number, reason: string, headers: SipHeader[]): SipResponse {
    return responseTo(request, status, reason, { toTag: this.toTag, headers });
  }

  private contactHeader(): SipHeader {
    return { name: "contact", value: `<${this.context.contactUri}>` };
  }

  private inDialogRequest(method: string, seq: number, headers: SipHeader[], body: Buffer): SipRequest {
    const invite = this.invite;
    const remoteTarget = parseNameAddress(headerValue(invite, "contact") ?? "")?.uri ?? invite.uri;
    const to = invite.headers.find((header) => header.name === "to")!.value;
    const localUri = /;\s*tag=/i.test(to) ? to : `${to};tag=${this.toTag}`;
    return {
      kind: "request",
      method,
      uri: remoteTarget,
      headers: [
        { name: "via", value: `SIP/2.0/UDP ${this.context.sentBy};branch=${newBranch()};rport` },
        ...headerValues(invite, "record-route").map((route) => ({ name: "route", value: route })),
        { name: "max-forwards", value: "70" },
        { name: "from", value: localUri },
        { name: "to", value: headerValue(invite, "from")! },
        { name: "call-id", value: headerValue(invite, "call-id")! },
        { name: "cseq", value: `${seq} ${method}` },
        ...(method === "BYE" ? [] : [this.contactHeader()]),
        ...headers,
      ],
      body,
    };
  }
}
