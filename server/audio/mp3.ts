import { setImmediate as nextTurn } from "node:timers/promises";
import { Mp3Encoder } from "@breezystack/lamejs";
import { alaw, mulaw } from "alawmulaw";
import { readWavLayout, type WavLayout } from "./format";

/**
 * WAV → MP3 for CRMs that play recordings only as mp3 (MiniCRM). The MP3
 * codec is LAME, ported to JavaScript (`@breezystack/lamejs`, pure JS, no
 * install script); G.711 decoding is `alawmulaw`. What is written here is only
 * the glue: reading the WAV's samples into 16-bit mono and feeding the
 * encoder.
 */

/** The sample rates MPEG-1, -2 and -2.5 layer III define; LAME encodes these without resampling. */
const MP3_SAMPLE_RATES = new Set([8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000]);

/**
 * Mono speech: 32 kbit/s at telephone rates (MPEG-2.5, 8–12 kHz) keeps
 * narrow-band speech clean at a quarter of 16-bit PCM's size; wide-band and
 * full-band recordings get more.
 */
export function speechBitrateKbps(sampleRate: number): number {
  if (sampleRate <= 12_000) return 32;
  if (sampleRate <= 24_000) return 48;
  return 64;
}

/** One MPEG-2/2.5 frame is 576 samples; feeding whole frames avoids the encoder's internal copying. */
const SAMPLES_PER_SLICE = 576 * 14;

export class UnsupportedWavError extends Error {
  constructor(reason: string) {
    super(`cannot encode this WAV file as mp3: ${reason}`);
    this.name = "UnsupportedWavError";
  }
}

/** The WAV's audio as 16-bit mono (channels averaged) at its own sample rate. */
export function wavToMono16(wav: Buffer): { sampleRate: number; samples: Int16Array } {
  const layout = readWavLayout(wav);
  if (typeof layout === "string") throw new UnsupportedWavError(layout);
  if (!MP3_SAMPLE_RATES.has(layout.sampleRate)) throw new UnsupportedWavError(`sample rate ${layout.sampleRate} Hz is not an MP3 rate`);
  const frames = Math.floor(layout.dataBytes / layout.blockAlign);
  const read = sampleReader(wav, layout);
  const samples = new Int16Array(frames);
  for (let frame = 0; frame < frames; frame++) {
    let sum = 0;
    for (let channel = 0; channel < layout.channels; channel++) sum += read(layout.dataOffset + frame * layout.blockAlign + (channel * layout.bits) / 8);
    samples[frame] = Math.max(-32768, Math.min(32767, Math.round(sum / layout.channels)));
  }
  return { sampleRate: layout.sampleRate, samples };
}

/** Reads one sample at a byte offset as a 16-bit value. */
function sampleReader(wav: Buffer, layout: WavLayout): (offset: number) => number {
  const { encoding, bits } = layout;
  if (encoding === 6) return (offset) => alaw.decodeSample(wav[offset]);
  if (encoding === 7) return (offset) => mulaw.decodeSample(wav[offset]);
  if (encoding === 3 && bits === 32) return (offset) => wav.readFloatLE(offset) * 32767;
  if (encoding === 1 && bits === 8) return (offset) => (wav[offset] - 128) << 8; // 8-bit PCM is unsigned
  if (encoding === 1 && bits === 16) return (offset) => wav.readInt16LE(offset);
  if (encoding === 1 && bits === 24) return (offset) => wav.readIntLE(offset, 3) >> 8;
  if (encoding === 1 && bits === 32) return (offset) => wav.readInt32LE(offset) >> 16;
  throw new UnsupportedWavError(`encoding ${encoding} with ${bits}-bit samples`);
}

/**
 * Encodes a whole WAV file to a mono MP3. LAME in JavaScript takes about a
 * second per minute of 8 kHz audio, so it hands the event loop back between
 * slices: calls and API requests in the same process keep running.
 */
export async function encodeWavToMp3(wav: Buffer): Promise<Buffer> {
  const { sampleRate, samples } = wavToMono16(wav);
  const encoder = new Mp3Encoder(1, sampleRate, speechBitrateKbps(sampleRate));
  const parts: Buffer[] = [];
  // lamejs hands out Int8Arrays (its typings say Uint8Array): view the same bytes as a Buffer.
  const keep = (bytes: ArrayBufferView) => parts.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  for (let start = 0; start < samples.length; start += SAMPLES_PER_SLICE) {
    keep(encoder.encodeBuffer(samples.subarray(start, start + SAMPLES_PER_SLICE)));
    await nextTurn();
  }
  keep(encoder.flush());
  return Buffer.concat(parts);
}
