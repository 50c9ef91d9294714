/**
 * SIP over UDP on one configurable address. Each datagram is parsed once;
 * a malformed one is answered 400 when it is a request with the headers a
 * response needs, otherwise dropped, and logged either way. Nothing a peer
 * sends can throw out of here: handler errors are logged too.
 */
import dgram from "node:dgram";
import type { Clock, Logger } from "@/flows/runtime/ports";
import { parseMessage, responseTo, serializeMessage, type SipMessage } from "./message";

export interface Peer {
  address: string;
  port: number;
}

export type MessageHandler = (message: SipMessage, source: Peer) => void;

/** Malformed datagrams logged one by one per minute; the rest are counted, so a flood cannot flood the log. */
export const MALFORMED_LOGS_PER_MINUTE = 20;
const MINUTE_MS = 60_000;

export class SipTransport {
  private handler: MessageHandler = () => undefined;
  private closed = false;
  private malformedWindow = { startedAt: Number.NEGATIVE_INFINITY, logged: 0, suppressed: 0 };

  private constructor(
    private readonly socket: dgram.Socket,
    private readonly logger: Logger,
    private readonly clock: Clock,
  ) {
    socket.on("message", (datagram, remote) => this.receive(datagram, { address: remote.address, port: remote.port }));
    socket.on("error", (error) => logger.error({ err: String(error) }, "SIP edge: UDP socket error"));
  }

  static bind(address: string, port: number, logger: Logger, clock: Clock): Promise<SipTransport> {
    const socket = dgram.createSocket("udp4");
    return new Promise((resolve, reject) => {
      socket.once("error", reject);
      socket.bind(port, address, () => {
        socket.off("error", reject);
        resolve(new SipTransport(socket, logger, clock));
      });
    });
  }

  /** Where the edge listens (the actual port when bound to port 0). */
  get local(): Peer {
    const { address, port } = this.socket.address();
    return { address, port };
  }

  onMessage(handler: MessageHandler): void {
    this.handler = handler;
  }

  send(message: SipMessage, to: Peer): void {
    if (this.closed) return;
    this.socket.send(serializeMessage(message), to.port, to.address, (error) => {
      if (error) this.logger.warn({ to: `${to.address}:${to.port}`, err: String(error) }, "SIP edge: could not send");
    });
  }

  close(): Promise<void> {
    this.closed = true;
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  private receive(datagram: Buffer, source: Peer): void {
    // A bare CRLF (or two) is a keep-alive ping (RFC 5626 §3.5.1): nothing to do.
    if (datagram.length <= 4 && datagram.toString("latin1").trim() === "") return;
    const parsed = parseMessage(datagram);
    if (!parsed.ok) {
      this.logMalformed({ from: `${source.address}:${source.port}`, problem: parsed.problem, bytes: datagram.length });
      if (parsed.answerable && parsed.answerable.method !== "ACK") {
        this.send(responseTo(parsed.answerable, 400, `Bad Request (${parsed.problem})`), source);
      }
      return;
    }
    try {
      this.handler(parsed.message, source);
    } catch (error) {
      this.logger.error({ from: `${source.address}:${source.port}`, err: String(error) }, "SIP edge: handling a message failed");
    }
  }

  private logMalformed(fields: Record<string, unknown>): void {
    const window = this.malformedWindow;
    const now = this.clock.now();
    if (now - window.startedAt >= MINUTE_MS) {
      if (window.suppressed > 0) this.logger.warn({ suppressed: window.suppressed }, "SIP edge: more malformed messages refused than logged in the last minute");
      this.malformedWindow = { startedAt: now, logged: 0, suppressed: 0 };
    }
    if (this.malformedWindow.logged >= MALFORMED_LOGS_PER_MINUTE) {
      this.malformedWindow.suppressed++;
      return;
    }
    this.malformedWindow.logged++;
    this.logger.warn(fields, "SIP edge: malformed message refused");
  }
}
