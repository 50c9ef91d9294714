/**
 * Test and bench only: many registered phones on one UDP socket, for load
 * runs where every call is answered by its own extension (phones are
 * single-line). Each extension registers with digest authentication; every
 * INVITE from the edge is answered (180, 200 with a PCMA answer, repeated
 * until the ACK) and hung up with BYE `holdMs` after the ACK (repeated until
 * answered); a BYE from the edge is answered 200. Audio the edge relays
 * arrives on one shared RTP socket and is only counted. Loopback only.
 */
import dgram from "node:dgram";
import { headerValue, parseMessage, responseTo, serializeMessage, type SipRequest, type SipResponse } from "../message";
import { digestAnswer } from "./testPhone";
import { g711Offer } from "./sipTestPeer";

const RETRANSMIT_MS = 500;
const MAX_RETRANSMITS = 6;

interface FarmCall {
  invite: SipRequest;
  toTag: string;
  /** The 200 OK, repeated until the ACK; cleared by it. */
  okTimer?: NodeJS.Timeout;
  byeTimer?: NodeJS.Timeout;
  /** Ended calls stay known, so a late retransmitted INVITE is answered again instead of ringing anew. */
  ended: boolean;
}

export interface PhoneFarmCounts {
  invites: number;
  acked: number;
  byesSent: number;
  byesAnswered: number;
  byesReceived: number;
  rtpPackets: number;
}

export class PhoneFarm {
  readonly counts: PhoneFarmCounts = { invites: 0, acked: 0, byesSent: 0, byesAnswered: 0, byesReceived: 0, rtpPackets: 0 };
  private readonly calls = new Map<string, FarmCall>();
  private readonly pending = new Map<string, (response: SipResponse) => void>();
  private cseq = 1;

  private constructor(
    private readonly sip: dgram.Socket,
    private readonly rtp: dgram.Socket,
    private readonly edge: { address: string; port: number },
    private readonly holdMs: number,
  ) {
    sip.on("message", (datagram) => this.onSip(datagram));
    rtp.on("message", () => this.counts.rtpPackets++);
  }

  static async open(edge: { address?: string; port: number }, options: { holdMs: number }): Promise<PhoneFarm> {
    const [sip, rtp] = await Promise.all([bound(), bound()]);
    return new PhoneFarm(sip, rtp, { address: edge.address ?? "127.0.0.1", port: edge.port }, options.holdMs);
  }

  get local(): { address: string; port: number } {
    const { address, port } = this.sip.address();
    return { address, port };
  }

  /** Registers every extension, 50 at a time (thousands at once overflow the sockets' buffers); rejects naming those the edge did not accept. */
  async register(extensions: string[], password: (extension: string) => string): Promise<void> {
    const statuses: number[] = [];
    for (let first = 0; first < extensions.length; first += 50) {
      statuses.push(...(await Promise.all(extensions.slice(first, first + 50).map((extension) => this.registerOne(extension, password(extension))))));
    }
    const refused = extensions.filter((_, i) => statuses[i] !== 200);
    if (refused.length > 0) throw new Error(`registration refused for ${refused.join(", ")}`);
  }

  close(): Promise<void> {
    for (const call of this.calls.values()) this.finish(call);
    return Promise.all([this.sip, this.rtp].map((socket) => new Promise<void>((resolve) => socket.close(() => resolve())))).then(() => undefined);
  }

  private async registerOne(extension: string, password: string): Promise<number> {
    const callId = `farm-reg-${extension}-${this.local.port}`;
    const uri = `sip:${this.edge.address}:${this.edge.port}`;
    let response = await this.request(callId, (seq) => this.registerText(extension, callId, seq));
    if (response.status === 401) {
      const authorization = digestAnswer(response, { user: extension, password, uri, cnonce: `farm${extension}` });
      response = await this.request(callId, (seq) => this.registerText(extension, callId, seq, authorization));
    }
    return response.status;
  }

  /** Sends a request (repeated until answered), resolving with its final response. */
  private request(callId: string, text: (seq: number) => string): Promise<SipResponse> {
    const seq = this.cseq++;
    const key = `${callId} ${seq}`;
    const datagram = Buffer.from(text(seq).replace(/\r?\n/g, "\r\n"), "latin1");
    return new Promise((resolve, reject) => {
      let sent = 0;
      const send = () => {
        if (sent++ > MAX_RETRANSMITS) {
          this.pending.delete(key);
          reject(new Error(`no answer to ${key}`));
          return;
        }
        this.send(datagram);
        timer = setTimeout(send, RETRANSMIT_MS);
      };
      let timer: NodeJS.Timeout;
      this.pending.set(key, (response) => {
        clearTimeout(timer);
        this.pending.delete(key);
        resolve(response);
      });
      send();
    });
  }

  private registerText(extension: string, callId: string, seq: number, authorization?: string): string {
    const { address, port } = this.local;
    return [
      `REGISTER sip:${this.edge.address}:${this.edge.port} SIP/2.0`,
      `Via: SIP/2.0/UDP ${address}:${port};branch=z9hG4bK-${callId}-${seq}`,
      `From: <sip:${extension}@${this.edge.address}>;tag=farm-${extension}`,
      `To: <sip:${extension}@${this.edge.address}>`,
      `Call-ID: ${callId}`,
      `CSeq: ${seq} REGISTER`,
      `Contact: <sip:${extension}@${address}:${port}>`,
      "Expires: 3600",
      "Max-Forwards: 70",
      ...(authorization ? [`Authorization: ${authorization}`] : []),
      "Content-Length: 0",
      "",
      "",
    ].join("\n");
  }

  private onSip(datagram: Buffer): void {
    const parsed = parseMessage(datagram);
    if (!parsed.ok) return;
    const message = parsed.message;
    const callId = headerValue(message, "call-id") ?? "";
    if (message.kind === "response") {
      const seq = /^(\d+)/.exec(headerValue(message, "cseq") ?? "")?.[1];
      if (message.status >= 200) this.pending.get(`${callId} ${seq}`)?.(message);
      return;
    }
    const call = this.calls.get(callId);
    if (message.method === "INVITE") return call ? this.answer(call) : this.ring(message);
    if (message.method === "ACK" && call?.okTimer) {
      clearInterval(call.okTimer);
      call.okTimer = undefined;
      this.counts.acked++;
      call.byeTimer = setTimeout(() => void this.hangUp(call), this.holdMs);
      return;
    }
    if (message.method === "BYE" || message.method === "CANCEL") {
      this.counts.byesReceived += message.method === "BYE" ? 1 : 0;
      this.send(serializeMessage(responseTo(message, 200, "OK")));
      if (call) this.finish(call);
      if (call && message.method === "CANCEL") this.send(serializeMessage(responseTo(call.invite, 487, "Request Terminated", { toTag: call.toTag })));
    }
  }

  private ring(invite: SipRequest): void {
    this.counts.invites++;
    const call: FarmCall = { invite, toTag: `farm-${this.counts.invites}`, ended: false };
    this.calls.set(headerValue(invite, "call-id") ?? "", call);
    this.send(serializeMessage(responseTo(invite, 180, "Ringing", { toTag: call.toTag })));
    let repeats = 0;
    this.answer(call);
    call.okTimer = setInterval(() => (++repeats > MAX_RETRANSMITS ? this.finish(call) : this.answer(call)), RETRANSMIT_MS);
  }

  private answer(call: FarmCall): void {
    if (call.ended) return;
    const { address, port } = this.rtp.address();
    const contact = { name: "contact", value: `<sip:phone@${this.local.address}:${this.local.port}>` };
    const body = Buffer.from(g711Offer(address, port, "8 101"));
    this.send(serializeMessage(responseTo(call.invite, 200, "OK", { toTag: call.toTag, headers: [contact, { name: "content-type", value: "application/sdp" }], body })));
  }

  private async hangUp(call: FarmCall): Promise<void> {
    if (call.ended) return;
    const { invite, toTag } = call;
    const callId = headerValue(invite, "call-id") ?? "";
    const target = /<([^>]+)>/.exec(headerValue(invite, "contact") ?? "")?.[1] ?? invite.uri;
    this.counts.byesSent++;
    const response = await this.request(callId, (seq) =>
      [
        `BYE ${target} SIP/2.0`,
        `Via: SIP/2.0/UDP ${this.local.address}:${this.local.port};branch=z9hG4bK-farm-bye-${seq}`,
        `From: ${headerValue(invite, "to")};tag=${toTag}`,
        `To: ${headerValue(invite, "from")}`,
        `Call-ID: ${callId}`,
        `CSeq: ${seq} BYE`,
        "Max-Forwards: 70",
        "Content-Length: 0",
        "",
        "",
      ].join("\n"),
    ).catch(() => null);
    if (response?.status === 200) this.counts.byesAnswered++;
    this.finish(call);
  }

  private finish(call: FarmCall): void {
    call.ended = true;
    clearInterval(call.okTimer);
    clearTimeout(call.byeTimer);
  }

  private send(datagram: Buffer): void {
    this.sip.send(datagram, this.edge.port, this.edge.address);
  }
}

/** The SIP password load runs give each extension (the edge's registrar and the farm, maybe in two processes, both know it). */
export const loadPassword = (extension: string): string => `load-${extension}`;

function bound(): Promise<dgram.Socket> {
  const socket = dgram.createSocket("udp4");
  return new Promise((resolve) => socket.bind(0, "127.0.0.1", () => resolve(socket)));
}
