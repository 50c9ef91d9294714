/** G.711 A-law / µ-law at 8 kHz: the telephone codecs the SIP edge speaks (tables from `alawmulaw`). */
import { alaw, mulaw } from "alawmulaw";
import type { G711Name } from "./sdp";

export const SAMPLE_RATE = 8000;
/** 20 ms of audio per RTP packet: 160 samples, 160 bytes of G.711. */
export const FRAME_SAMPLES = 160;
export const FRAME_MS = 20;

export function encodeG711(codec: G711Name, pcm: Int16Array): Buffer {
  const encoded = codec === "PCMA" ? alaw.encode(pcm) : mulaw.encode(pcm);
  return Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength);
}

export function decodeG711(codec: G711Name, bytes: Uint8Array): Int16Array {
  return codec === "PCMA" ? alaw.decode(bytes) : mulaw.decode(bytes);
}

/** One frame of digital silence, sent between prompts so the far end keeps hearing a live stream. */
export function silenceFrame(codec: G711Name): Buffer {
  return encodeG711(codec, new Int16Array(FRAME_SAMPLES));
}
