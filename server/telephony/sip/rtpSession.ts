/**
 * The media of one leg: a UDP socket for RTP, what it is playing, and the
 * RFC 4733 digits it hears. It sends one 20 ms frame per `sendFrame()` (the
 * engine's shared `FramePacer` calls it): prompt audio while one plays,
 * silence otherwise, so the far end always hears a live stream. Packets from
 * any address but the one the far end's SDP named are ignored; the port is
 * not checked, because symmetric-RTP peers and NATs send from other ports.
 */
import { randomInt } from "node:crypto";
import dgram from "node:dgram";
import type { Logger } from "@/flows/runtime/ports";
import { decodeG711, encodeG711, FRAME_SAMPLES, silenceFrame } from "./g711";
import { buildRtp, DtmfDecoder, parseRtp } from "./rtp";
import type { RecordingSink } from "./recording";
import type { G711Name, NegotiatedMedia } from "./sdp";

export interface RtpPortRange {
  min: number;
  max: number;
}

export interface RtpSessionEvents {
  digit(digit: string): void;
}

/** Where a bridged session's received audio goes: the other leg's session. */
type AudioRelay = (payload: Buffer, codec: G711Name) => void;

interface Playing {
  audio: Buffer;
  offset: number;
  finished: (outcome: "completed" | "stopped") => void;
}

/** Even ports only (RFC 3550 §11); odd ones are left for RTCP. */
class PortCursor {
  private next: number;
  constructor(private readonly range: RtpPortRange) {
    this.next = range.min + (range.min % 2);
  }
  take(): number {
    const port = this.next;
    this.next = this.next + 2 > this.range.max ? this.range.min + (this.range.min % 2) : this.next + 2;
    return port;
  }
  get size(): number {
    return Math.max(1, Math.floor((this.range.max - this.range.min) / 2) + 1);
  }
}

export class RtpPorts {
  private readonly cursor: PortCursor | null;
  constructor(
    readonly host: string,
    range: RtpPortRange | null,
  ) {
    this.cursor = range ? new PortCursor(range) : null;
  }

  /** Binds a socket on the next free port of the range (any free port without a range). */
  async open(): Promise<dgram.Socket> {
    const attempts = this.cursor ? this.cursor.size : 1;
    for (let attempt = 0; attempt < attempts; attempt++) {
      const socket = dgram.createSocket("udp4");
      const port = this.cursor ? this.cursor.take() : 0;
      const bound = await new Promise<boolean>((resolve) => {
        socket.once("error", () => resolve(false));
        socket.bind(port, this.host, () => resolve(true));
      });
      if (bound) return socket;
      socket.close();
    }
    throw new Error("no free RTP port");
  }
}

export class RtpSession {
  private playing: Playing | null = null;
  private readonly dtmf = new DtmfDecoder();
  private readonly ssrc = randomInt(0, 2 ** 32);
  private sequence = randomInt(0, 2 ** 16);
  private timestamp = randomInt(0, 2 ** 32);
  private marker = true;
  private closed = false;
  /** Only the first foreign datagram and the first socket error of a call are logged: a stream would flood the log. */
  private foreignLogged = false;
  private errorLogged = false;
  private silence: Buffer = Buffer.alloc(0);
  /** Null until the far end's SDP is known (an outbound call before its answer): nothing is sent or heard. */
  private media: NegotiatedMedia | null = null;
  /** While bridged: received audio goes there, and the pacer's frames stop (the other leg's audio replaces them). */
  private relay: AudioRelay | null = null;
  /** While recording: both directions' audio, decoded. */
  private recording: RecordingSink | null = null;
  /** Kept from the bind: a closed socket can no longer tell it. */
  readonly port: number;

  /** Hears the far end at once when its SDP is known; sends only when the pacer asks (from the answer on). */
  constructor(
    private readonly socket: dgram.Socket,
    media: NegotiatedMedia | null,
    private readonly events: RtpSessionEvents,
    private readonly logger: Logger,
  ) {
    if (media) this.connect(media);
    this.port = socket.address().port;
    socket.on("message", (datagram, source) => this.receive(datagram, source.address));
    socket.on("error", (error) => {
      if (this.errorLogged) return;
      this.errorLogged = true;
      logger.warn({ port: this.port, err: String(error) }, "SIP edge: RTP socket error");
    });
  }

  /** The far end's SDP arrived (an outbound call's answer). */
  connect(media: NegotiatedMedia): void {
    this.media = media;
    this.silence = silenceFrame(media.codec);
  }

  get codec(): G711Name | null {
    return this.media?.codec ?? null;
  }

  /** Bridges: audio this session hears goes to `relay`; null ends the bridge (silence frames resume). */
  relayTo(relay: AudioRelay | null): void {
    this.relay = relay;
    this.marker = true;
  }

  /** Records both directions (what the far end says, what it is sent); null stops. */
  recordTo(sink: RecordingSink | null): void {
    this.recording = sink;
  }

  /**
   * Sends audio heard on the other leg of a bridge, as one packet of our own
   * stream (our SSRC, sequence and timestamp), transcoded when the codecs differ.
   */
  sendRelayed(payload: Buffer, codec: G711Name): void {
    const media = this.media;
    if (this.closed || !media || media.direction === "recvonly" || media.direction === "inactive") return;
    const audio = codec === media.codec ? payload : encodeG711(media.codec, decodeG711(codec, payload));
    this.sendPacket(media, audio);
  }

  /** Plays encoded G.711 audio, replacing (and stopping) what played before. */
  play(audio: Buffer, finished: Playing["finished"]): void {
    this.stopPlayback();
    this.playing = { audio, offset: 0, finished };
    this.marker = true;
  }

  stopPlayback(): void {
    const playing = this.playing;
    this.playing = null;
    playing?.finished("stopped");
  }

  /** One 20 ms frame out: the prompt's next frame, or silence. */
  sendFrame(): void {
    const media = this.media;
    if (this.closed || this.relay || !media || media.direction === "recvonly" || media.direction === "inactive") return;
    const playing = this.playing;
    let payload = this.silence;
    if (playing) {
      const end = playing.offset + FRAME_SAMPLES;
      payload = playing.audio.subarray(playing.offset, end);
      if (payload.length < FRAME_SAMPLES) payload = Buffer.concat([payload, this.silence.subarray(payload.length)]);
      playing.offset = end;
    }
    this.sendPacket(media, payload);
    if (playing && playing.offset >= playing.audio.length && this.playing === playing) {
      this.playing = null;
      playing.finished("completed");
    }
  }

  /** One packet of G.711 (one byte per sample), advancing our sequence and timestamp. */
  private sendPacket(media: NegotiatedMedia, payload: Buffer): void {
    const packet = buildRtp({ payloadType: media.payloadType, marker: this.marker, sequence: this.sequence, timestamp: this.timestamp, ssrc: this.ssrc, payload });
    this.marker = false;
    this.sequence = (this.sequence + 1) & 0xffff;
    this.timestamp = (this.timestamp + payload.length) >>> 0;
    this.socket.send(packet, media.remote.port, media.remote.address);
    this.recording?.said(decodeG711(media.codec, payload));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.recording = null;
    this.stopPlayback();
    this.socket.close();
  }

  private receive(datagram: Buffer, address: string): void {
    const media = this.media;
    if (!media) return;
    const packet = address === media.remote.address ? parseRtp(datagram) : null;
    if (!packet) {
      if (!this.foreignLogged) this.logger.warn({ from: address, port: this.port }, "SIP edge: RTP from an unexpected source (or not RTP) ignored");
      this.foreignLogged = true;
      return;
    }
    if (packet.payloadType === media.payloadType) {
      this.relay?.(packet.payload, media.codec);
      this.recording?.heard(decodeG711(media.codec, packet.payload));
      return;
    }
    if (packet.payloadType !== media.telephoneEventPayloadType) return;
    const digit = this.dtmf.accept(packet);
    if (digit !== null) this.events.digit(digit);
  }
}
