/**
 * Test-only: a trunk (or attacker) on a UDP socket that sends raw SIP text
 * and waits for what the edge sends back, plus an RTP socket standing in for
 * the caller's media. Loopback only; every wait is bounded.
 */
import dgram from "node:dgram";
import { parseMessage, headerValue, type SipMessage, type SipRequest, type SipResponse } from "../message";

export class UdpPeer {
  readonly received: { datagram: Buffer; from: { address: string; port: number } }[] = [];
  private waiters: (() => void)[] = [];

  private constructor(readonly socket: dgram.Socket) {
    socket.on("message", (datagram, from) => {
      this.received.push({ datagram, from: { address: from.address, port: from.port } });
      for (const wake of this.waiters) wake();
    });
  }

  static open(address = "127.0.0.1"): Promise<UdpPeer> {
    const socket = dgram.createSocket("udp4");
    return new Promise((resolve) => socket.bind(0, address, () => resolve(new UdpPeer(socket))));
  }

  get address(): { address: string; port: number } {
    const { address, port } = this.socket.address();
    return { address, port };
  }

  send(data: Buffer | string, port: number, address = "127.0.0.1"): void {
    this.socket.send(typeof data === "string" ? Buffer.from(data, "latin1") : data, port, address);
  }

  /** Resolves once `count` datagrams have arrived in total, or rejects after `timeoutMs`. */
  async waitFor(count: number, timeoutMs = 3000): Promise<void> {
    if (this.received.length >= count) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((wake) => wake !== check);
        reject(new Error(`expected ${count} datagrams, got ${this.received.length}`));
      }, timeoutMs);
      const check = () => {
        if (this.received.length < count) return;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((wake) => wake !== check);
        resolve();
      };
      this.waiters.push(check);
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

/** A UDP peer that speaks SIP: sends message text, finds parsed replies. */
export class SipTestPeer {
  private constructor(readonly udp: UdpPeer) {}

  static async open(address = "127.0.0.1"): Promise<SipTestPeer> {
    return new SipTestPeer(await UdpPeer.open(address));
  }

  get local(): { address: string; port: number } {
    return this.udp.address;
  }

  /** Sends SIP text; lines may end in "\n" (turned into CRLF) and Content-Length is filled in. */
  send(text: string, to: { port: number; address?: string }): void {
    const [head, body = ""] = text.replace(/\r?\n/g, "\r\n").split("\r\n\r\n");
    const withLength = head.includes("Content-Length") ? head : `${head}\r\nContent-Length: ${Buffer.byteLength(body)}`;
    this.udp.send(`${withLength}\r\n\r\n${body}`, to.port, to.address);
  }

  messages(): SipMessage[] {
    return this.udp.received.flatMap(({ datagram }) => {
      const parsed = parseMessage(datagram);
      return parsed.ok ? [parsed.message] : [];
    });
  }

  responses(method?: string): SipResponse[] {
    return this.messages().filter(
      (message): message is SipResponse => message.kind === "response" && (method === undefined || (headerValue(message, "cseq") ?? "").endsWith(` ${method}`)),
    );
  }

  requests(method: string): SipRequest[] {
    return this.messages().filter((message): message is SipRequest => message.kind === "request" && message.method === method);
  }

  /** Waits until `predicate` holds for the messages received so far. */
  async until(predicate: (peer: SipTestPeer) => boolean, timeoutMs = 3000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this)) {
      if (Date.now() > deadline) throw new Error(`condition not met; received: ${this.messages().map(describe).join(", ") || "nothing"}`);
      await this.udp.waitFor(this.udp.received.length + 1, Math.max(1, deadline - Date.now())).catch(() => undefined);
    }
  }

  close(): Promise<void> {
    return this.udp.close();
  }
}

function describe(message: SipMessage): string {
  return message.kind === "request" ? message.method : `${message.status} (${headerValue(message, "cseq")})`;
}

export interface InviteOptions {
  callId: string;
  fromTag?: string;
  from?: string;
  to: string;
  branch?: string;
  /** The SDP offer; defaults to PCMA + telephone-event towards `rtpPort`. */
  sdp?: string;
  rtpPort?: number;
}

export function inviteText(peer: { address: string; port: number }, edge: { port: number }, options: InviteOptions): string {
  const sdp = options.sdp ?? g711Offer(peer.address, options.rtpPort ?? 9);
  return [
    `INVITE sip:${options.to}@127.0.0.1:${edge.port} SIP/2.0`,
    `Via: SIP/2.0/UDP ${peer.address}:${peer.port};branch=${options.branch ?? `z9hG4bK-${options.callId}`}`,
    `From: <sip:${options.from ?? "+3611112222"}@${peer.address}>;tag=${options.fromTag ?? "caller-tag"}`,
    `To: <sip:${options.to}@127.0.0.1>`,
    `Call-ID: ${options.callId}`,
    "CSeq: 1 INVITE",
    `Contact: <sip:caller@${peer.address}:${peer.port}>`,
    "Max-Forwards: 70",
    "Content-Type: application/sdp",
    "",
    sdp,
  ].join("\n");
}

export function g711Offer(address: string, rtpPort: number, payloads = "8 0 101"): string {
  return [
    "v=0",
    `o=- 1 1 IN IP4 ${address}`,
    "s=-",
    `c=IN IP4 ${address}`,
    "t=0 0",
    `m=audio ${rtpPort} RTP/AVP ${payloads}`,
    "a=rtpmap:8 PCMA/8000",
    "a=rtpmap:0 PCMU/8000",
    "a=rtpmap:18 G729/8000",
    "a=rtpmap:101 telephone-event/8000",
    "",
  ].join("\r\n");
}

/** An in-dialog request from the caller (ACK, BYE, INFO, CANCEL…), built from the INVITE's identifiers and the edge's To tag. */
export function inDialogText(
  method: string,
  peer: { address: string; port: number },
  edge: { port: number },
  options: { callId: string; to: string; toTag: string | null; cseq: number; branch: string; fromTag?: string; extraHeaders?: string[]; body?: string },
): string {
  return [
    `${method} sip:${options.to}@127.0.0.1:${edge.port} SIP/2.0`,
    `Via: SIP/2.0/UDP ${peer.address}:${peer.port};branch=${options.branch}`,
    `From: <sip:+3611112222@${peer.address}>;tag=${options.fromTag ?? "caller-tag"}`,
    `To: <sip:${options.to}@127.0.0.1>${options.toTag ? `;tag=${options.toTag}` : ""}`,
    `Call-ID: ${options.callId}`,
    `CSeq: ${options.cseq} ${method}`,
    "Max-Forwards: 70",
    ...(options.extraHeaders ?? []),
    "",
    options.body ?? "",
  ].join("\n");
}
