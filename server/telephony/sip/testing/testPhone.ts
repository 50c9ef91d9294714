/**
 * Test-only: a SIP phone in TypeScript, registered as an extension (digest
 * authentication answered like a softphone does), that can ring, answer with
 * a G.711 SDP, refuse, hang up, and place calls of its own. Loopback only;
 * every wait is bounded.
 */
import { tagOf } from "../address";
import { digestResponse, parseDigestAuthorization } from "../digest";
import { headerValue, type SipRequest, type SipResponse } from "../message";
import { g711Offer, SipTestPeer, UdpPeer } from "./sipTestPeer";

/** A call the phone placed: the final status, and what its BYE needs. */
export interface PlacedCall {
  status: number;
  /** The status of the challenge answered on the way (401), or null. */
  challenged: number | null;
  callId: string;
  response: SipResponse;
}

export class TestPhone {
  private cseq = 1;
  private registrations = 0;

  private constructor(
    readonly extension: string,
    readonly sip: SipTestPeer,
    readonly rtp: UdpPeer,
    private readonly edge: { port: number },
  ) {}

  static async open(extension: string, edge: { port: number }): Promise<TestPhone> {
    return new TestPhone(extension, await SipTestPeer.open(), await UdpPeer.open(), edge);
  }

  /** REGISTER, answering the 401 challenge with `password`; resolves with the final status. */
  async register(password: string, options: { expires?: number; challengeAnswers?: number } = {}): Promise<number> {
    const callId = `reg-${this.extension}-${this.sip.local.port}-${++this.registrations}`;
    const send = (authorization?: string) => {
      const seq = this.cseq++;
      this.sip.send(this.registerText(callId, seq, options.expires ?? 600, authorization), this.edge);
      return seq;
    };
    let seq = send();
    for (let answered = 0; ; answered++) {
      const response = await this.responseTo(callId, seq);
      if (response.status !== 401 || answered >= (options.challengeAnswers ?? 1)) return response.status;
      seq = send(this.authorization(response, password));
    }
  }

  /**
   * Dials `number` (INVITE with a PCMA offer to the phone's RTP socket), answering one digest
   * challenge with `password`; ACKs the final response and resolves with it.
   */
  async dial(number: string, password: string): Promise<PlacedCall> {
    const callId = `call-${this.extension}-${this.sip.local.port}-${this.cseq}`;
    const send = (authorization?: string) => {
      const seq = this.cseq++;
      this.sip.send(this.inviteText(callId, seq, number, authorization), this.edge);
      return seq;
    };
    let seq = send();
    let challenged: number | null = null;
    for (;;) {
      const response = await this.finalResponseTo(callId, seq, "INVITE");
      this.sip.send(this.ackText(callId, seq, number, response), this.edge);
      if (response.status !== 401 || challenged !== null) return { status: response.status, challenged, callId, response };
      challenged = response.status;
      seq = send(this.authorization(response, password, "INVITE", `sip:${number}@127.0.0.1:${this.edge.port}`));
    }
  }

  /** Hangs up a call the phone placed and the edge answered. */
  hangUpOwnCall(call: PlacedCall): void {
    const contact = /<([^>]+)>/.exec(headerValue(call.response, "contact")!)![1];
    this.sendBye(contact, headerValue(call.response, "from")!, headerValue(call.response, "to")!, call.callId);
  }

  /** Waits for an INVITE from the edge (the last one received). */
  async incomingInvite(timeoutMs = 5000): Promise<SipRequest> {
    await this.sip.until((peer) => peer.requests("INVITE").length > 0, timeoutMs);
    return this.sip.requests("INVITE").at(-1)!;
  }

  /** Answers a request from the edge (180, 200 with SDP, 486…); returns our To tag. */
  /** `sdpPayloads`: what the answer lists ("0 101" answers PCMU, so a PCMA caller is transcoded). */
  reply(request: SipRequest, status: number, reason: string, options: { sdp?: boolean; toTag?: string; sdpPayloads?: string } = {}): string {
    const toTag = options.toTag ?? `phone-${this.extension}`;
    const to = headerValue(request, "to")!;
    const lines = [
      `SIP/2.0 ${status} ${reason}`,
      ...request.headers.filter((header) => header.name === "via").map((header) => `Via: ${header.value}`),
      `From: ${headerValue(request, "from")}`,
      `To: ${tagOf(to) ? to : `${to};tag=${toTag}`}`,
      `Call-ID: ${headerValue(request, "call-id")}`,
      `CSeq: ${headerValue(request, "cseq")}`,
      `Contact: <sip:${this.extension}@${this.sip.local.address}:${this.sip.local.port}>`,
    ];
    if (options.sdp) this.sip.send([...lines, "Content-Type: application/sdp", "", g711Offer("127.0.0.1", this.rtp.address.port, options.sdpPayloads ?? "8 101")].join("\n"), this.edge);
    else this.sip.send([...lines, "", ""].join("\n"), this.edge);
    return toTag;
  }

  /** The phone hangs up an answered call it received: BYE in the INVITE's dialog. */
  bye(invite: SipRequest, toTag: string): void {
    this.requestInDialog("BYE", invite, toTag);
  }

  /**
   * The phone transfers an answered call it received: REFER in the INVITE's dialog (`referTo` verbatim, or none);
   * returns its CSeq. `retransmitting`: the CSeq of a REFER sent before, sent again as is.
   */
  refer(invite: SipRequest, toTag: string, referTo: string | null, retransmitting?: number): number {
    return this.requestInDialog("REFER", invite, toTag, referTo === null ? [] : [`Refer-To: ${referTo}`, `Referred-By: <sip:${this.extension}@127.0.0.1>`], retransmitting);
  }

  private requestInDialog(method: string, invite: SipRequest, toTag: string, headers: string[] = [], seq?: number): number {
    const contact = /<([^>]+)>/.exec(headerValue(invite, "contact")!)![1];
    return this.sendInDialog(method, contact, `${headerValue(invite, "to")};tag=${toTag}`, headerValue(invite, "from")!, headerValue(invite, "call-id")!, headers, seq);
  }

  private sendBye(uri: string, from: string, to: string, callId: string): void {
    this.sendInDialog("BYE", uri, from, to, callId);
  }

  private sendInDialog(method: string, uri: string, from: string, to: string, callId: string, headers: string[] = [], seq = this.cseq++): number {
    this.sip.send(
      [
        `${method} ${uri} SIP/2.0`,
        `Via: SIP/2.0/UDP ${this.sip.local.address}:${this.sip.local.port};branch=z9hG4bK-phone-${method.toLowerCase()}-${seq}`,
        `From: ${from}`,
        `To: ${to}`,
        `Call-ID: ${callId}`,
        `CSeq: ${seq} ${method}`,
        `Contact: <sip:${this.extension}@${this.sip.local.address}:${this.sip.local.port}>`,
        "Max-Forwards: 70",
        ...headers,
        "",
        "",
      ].join("\n"),
      this.edge,
    );
    return seq;
  }

  close(): Promise<void> {
    return Promise.all([this.sip.close(), this.rtp.close()]).then(() => undefined);
  }

  private registerText(callId: string, seq: number, expires: number, authorization?: string): string {
    const local = this.sip.local;
    return [
      `REGISTER sip:127.0.0.1:${this.edge.port} SIP/2.0`,
      `Via: SIP/2.0/UDP ${local.address}:${local.port};branch=z9hG4bK-${callId}-${seq}`,
      `From: <sip:${this.extension}@127.0.0.1>;tag=reg-${this.extension}`,
      `To: <sip:${this.extension}@127.0.0.1>`,
      `Call-ID: ${callId}`,
      `CSeq: ${seq} REGISTER`,
      `Contact: <sip:${this.extension}@${local.address}:${local.port}>`,
      `Expires: ${expires}`,
      "Max-Forwards: 70",
      ...(authorization ? [`Authorization: ${authorization}`] : []),
      "",
      "",
    ].join("\n");
  }

  private inviteText(callId: string, seq: number, number: string, authorization?: string): string {
    const local = this.sip.local;
    return [
      `INVITE sip:${number}@127.0.0.1:${this.edge.port} SIP/2.0`,
      `Via: SIP/2.0/UDP ${local.address}:${local.port};branch=z9hG4bK-${callId}-${seq}`,
      `From: <sip:${this.extension}@127.0.0.1>;tag=call-${this.extension}`,
      `To: <sip:${number}@127.0.0.1>`,
      `Call-ID: ${callId}`,
      `CSeq: ${seq} INVITE`,
      `Contact: <sip:${this.extension}@${local.address}:${local.port}>`,
      "Max-Forwards: 70",
      ...(authorization ? [`Authorization: ${authorization}`] : []),
      "Content-Type: application/sdp",
      "",
      g711Offer("127.0.0.1", this.rtp.address.port, "8 101"),
    ].join("\n");
  }

  private ackText(callId: string, seq: number, number: string, response: SipResponse): string {
    const local = this.sip.local;
    const uri = response.status < 300 ? /<([^>]+)>/.exec(headerValue(response, "contact") ?? "")?.[1] : undefined;
    // A refusal's ACK belongs to the INVITE transaction (same branch); a 2xx's is a new one.
    const branch = response.status < 300 ? `z9hG4bK-${callId}-${seq}-ack` : `z9hG4bK-${callId}-${seq}`;
    return [
      `ACK ${uri ?? `sip:${number}@127.0.0.1:${this.edge.port}`} SIP/2.0`,
      `Via: SIP/2.0/UDP ${local.address}:${local.port};branch=${branch}`,
      `From: ${headerValue(response, "from")}`,
      `To: ${headerValue(response, "to")}`,
      `Call-ID: ${callId}`,
      `CSeq: ${seq} ACK`,
      "Max-Forwards: 70",
      "",
      "",
    ].join("\n");
  }

  private async finalResponseTo(callId: string, seq: number, method: string): Promise<SipResponse> {
    const find = () => this.sip.responses(method).find((response) => headerValue(response, "call-id") === callId && headerValue(response, "cseq") === `${seq} ${method}` && response.status >= 200);
    await this.sip.until(() => find() !== undefined, 10_000);
    return find()!;
  }

  private authorization(challenge: SipResponse, password: string, method = "REGISTER", uri = `sip:127.0.0.1:${this.edge.port}`): string {
    return digestAnswer(challenge, { user: this.extension, password, uri, cnonce: `c${this.cseq}`, method });
  }

  private async responseTo(callId: string, seq: number): Promise<SipResponse> {
    const find = () => this.sip.responses("REGISTER").find((response) => headerValue(response, "call-id") === callId && headerValue(response, "cseq") === `${seq} REGISTER`);
    await this.sip.until(() => find() !== undefined);
    return find()!;
  }
}

/** The `Authorization` a phone sends back for a REGISTER challenged with 401 (MD5, qop=auth), as softphones compute it. */
export function digestAnswer(challenge: SipResponse, phone: { user: string; password: string; uri: string; cnonce: string; method?: string }): string {
  const header = headerValue(challenge, "www-authenticate") ?? "";
  // The challenge has the same key="value" shape as a response; borrow the parser with filler fields.
  const params = parseDigestAuthorization(`${header}, username="x", uri="x", response="x"`);
  if (!params) throw new Error(`unreadable challenge: ${header}`);
  const { user, password, uri, cnonce, method = "REGISTER" } = phone;
  const response = digestResponse({ username: user, password, realm: params.realm, nonce: params.nonce, method, uri, nc: "00000001", cnonce });
  return `Digest username="${user}", realm="${params.realm}", nonce="${params.nonce}", uri="${uri}", response="${response}", algorithm=MD5, qop=auth, nc=00000001, cnonce="${cnonce}"`;
}
