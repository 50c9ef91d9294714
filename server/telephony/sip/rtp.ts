/**
 * RTP packets (RFC 3550 §5.1) and RFC 4733 telephone-event payloads, read
 * defensively (a datagram that is not a well-formed RTP packet is null) and
 * written without allocation beyond the packet itself.
 */

export interface RtpPacket {
  payloadType: number;
  marker: boolean;
  sequence: number;
  timestamp: number;
  ssrc: number;
  payload: Buffer;
}

const HEADER_BYTES = 12;

export function parseRtp(datagram: Buffer): RtpPacket | null {
  if (datagram.length < HEADER_BYTES) return null;
  const first = datagram[0];
  if (first >> 6 !== 2) return null;
  const padding = (first & 0x20) !== 0;
  const extension = (first & 0x10) !== 0;
  const csrcCount = first & 0x0f;
  let offset = HEADER_BYTES + csrcCount * 4;
  if (extension) {
    if (datagram.length < offset + 4) return null;
    offset += 4 + datagram.readUInt16BE(offset + 2) * 4;
  }
  let end = datagram.length;
  if (padding) {
    const padBytes = datagram[datagram.length - 1];
    if (padBytes === 0) return null;
    end -= padBytes;
  }
  if (end < offset) return null;
  return {
    payloadType: datagram[1] & 0x7f,
    marker: (datagram[1] & 0x80) !== 0,
    sequence: datagram.readUInt16BE(2),
    timestamp: datagram.readUInt32BE(4),
    ssrc: datagram.readUInt32BE(8),
    payload: datagram.subarray(offset, end),
  };
}

export function buildRtp(packet: RtpPacket): Buffer {
  const datagram = Buffer.allocUnsafe(HEADER_BYTES + packet.payload.length);
  datagram[0] = 0x80;
  datagram[1] = (packet.marker ? 0x80 : 0) | (packet.payloadType & 0x7f);
  datagram.writeUInt16BE(packet.sequence & 0xffff, 2);
  datagram.writeUInt32BE(packet.timestamp >>> 0, 4);
  datagram.writeUInt32BE(packet.ssrc >>> 0, 8);
  packet.payload.copy(datagram, HEADER_BYTES);
  return datagram;
}

export interface TelephoneEvent {
  /** 0–15: the DTMF events of RFC 4733 §3.2. */
  event: number;
  end: boolean;
  volume: number;
  duration: number;
}

function parseTelephoneEvent(payload: Buffer): TelephoneEvent | null {
  if (payload.length < 4) return null;
  return { event: payload[0], end: (payload[1] & 0x80) !== 0, volume: payload[1] & 0x3f, duration: payload.readUInt16BE(2) };
}

export function buildTelephoneEvent(event: TelephoneEvent): Buffer {
  const payload = Buffer.alloc(4);
  payload[0] = event.event;
  payload[1] = (event.end ? 0x80 : 0) | (event.volume & 0x3f);
  payload.writeUInt16BE(event.duration & 0xffff, 2);
  return payload;
}

const DTMF_DIGITS = "0123456789*#ABCD";

/**
 * Turns a stream of telephone-event packets into digits, one per key press.
 * An event is sent as many packets sharing one RTP timestamp (the start
 * packet, updates, and the end packet three times); the digit is reported on
 * the first packet of a new timestamp, so a lost start or end packet neither
 * drops nor doubles it.
 */
export class DtmfDecoder {
  private lastEvent: { ssrc: number; timestamp: number } | null = null;

  /** The digit a packet starts, or null (a repeat, or not a DTMF event). */
  accept(packet: RtpPacket): string | null {
    const event = parseTelephoneEvent(packet.payload);
    if (!event || event.event >= DTMF_DIGITS.length) return null;
    const last = this.lastEvent;
    if (last && last.ssrc === packet.ssrc && last.timestamp === packet.timestamp) return null;
    this.lastEvent = { ssrc: packet.ssrc, timestamp: packet.timestamp };
    return DTMF_DIGITS[event.event];
  }
}
