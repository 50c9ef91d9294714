/**
 * Tells what an uploaded audio file really is, from its bytes alone (the
 * browser's content type and the file name are not trusted): a WAV file whose
 * RIFF header describes PCM-like audio, or an MP3 (MPEG audio layer III,
 * optionally after an ID3v2 tag). Anything else is refused with a code the
 * portal translates. Written by hand rather than with a metadata library: the
 * two formats need ~150 lines, and a strict parser here is the whole point.
 */

export const MAX_AUDIO_BYTES = 10 * 1024 * 1024;

export type AudioProblem =
  | "empty"
  | "too_large"
  | "unsupported_format"
  | "wav_truncated"
  | "wav_invalid"
  | "wav_unsupported_encoding"
  | "mp3_invalid";

export interface AudioInfo {
  format: "wav" | "mp3";
  contentType: "audio/wav" | "audio/mpeg";
  /** Exact for WAV; for MP3 counted from the frames, null when no frames could be walked. */
  durationMs: number | null;
}

export type AudioInspection = ({ ok: true } & AudioInfo) | { ok: false; problem: AudioProblem };

const fail = (problem: AudioProblem): AudioInspection => ({ ok: false, problem });

export function inspectAudio(bytes: Uint8Array): AudioInspection {
  if (bytes.length === 0) return fail("empty");
  if (bytes.length > MAX_AUDIO_BYTES) return fail("too_large");
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (data.length >= 4 && data.toString("latin1", 0, 4) === "RIFF") return inspectWav(data);
  if (data.length >= 3 && data.toString("latin1", 0, 3) === "ID3") return inspectMp3(data);
  if (data.length >= 2 && readFrameHeader(data, 0)) return inspectMp3(data);
  return fail("unsupported_format");
}

// ── WAV ─────────────────────────────────────────────────────────────

/** PCM, IEEE float, A-law, µ-law: what browsers and telephony engines play. */
const WAV_ENCODINGS = new Set([1, 3, 6, 7]);
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

/** Where a WAV file's samples are and how they are encoded; read by `inspectAudio` and by the mp3 encoder's WAV decoder. */
export interface WavLayout {
  /** WAVE format tag: 1 PCM, 3 IEEE float, 6 A-law, 7 µ-law. */
  encoding: number;
  channels: number;
  sampleRate: number;
  byteRate: number;
  blockAlign: number;
  bits: number;
  dataOffset: number;
  dataBytes: number;
}

export type WavProblem = Extract<AudioProblem, "wav_truncated" | "wav_invalid" | "wav_unsupported_encoding">;

/** Walks a RIFF/WAVE file's chunks to its `data` chunk, checking the `fmt ` chunk describes playable audio. */
export function readWavLayout(data: Buffer): WavLayout | WavProblem {
  if (data.length < 12) return "wav_truncated";
  if (data.toString("latin1", 0, 4) !== "RIFF" || data.toString("latin1", 8, 12) !== "WAVE") return "wav_invalid";
  let format: Omit<WavLayout, "dataOffset" | "dataBytes"> | null = null;
  let offset = 12;
  while (offset + 8 <= data.length) {
    const id = data.toString("latin1", offset, offset + 4);
    const size = data.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (body + size > data.length) return "wav_truncated";
    if (id === "fmt ") {
      if (size < 16) return "wav_invalid";
      let encoding = data.readUInt16LE(body);
      if (encoding === WAVE_FORMAT_EXTENSIBLE) {
        // The sub-format GUID's first two bytes carry the real encoding.
        if (size < 40) return "wav_invalid";
        encoding = data.readUInt16LE(body + 24);
      }
      format = {
        encoding,
        channels: data.readUInt16LE(body + 2),
        sampleRate: data.readUInt32LE(body + 4),
        byteRate: data.readUInt32LE(body + 8),
        blockAlign: data.readUInt16LE(body + 12),
        bits: data.readUInt16LE(body + 14),
      };
    } else if (id === "data") {
      if (!format) return "wav_invalid";
      if (!WAV_ENCODINGS.has(format.encoding)) return "wav_unsupported_encoding";
      const { channels, sampleRate, byteRate, blockAlign, bits } = format;
      const sane =
        channels >= 1 &&
        channels <= 8 &&
        sampleRate >= 8000 &&
        sampleRate <= 192_000 &&
        [8, 16, 24, 32].includes(bits) &&
        blockAlign === (channels * bits) / 8 &&
        byteRate === sampleRate * blockAlign;
      if (!sane || size === 0) return "wav_invalid";
      return { ...format, dataOffset: body, dataBytes: size };
    }
    offset = body + size + (size % 2); // chunks are padded to an even length
  }
  return format ? "wav_truncated" : "wav_invalid";
}

function inspectWav(data: Buffer): AudioInspection {
  const layout = readWavLayout(data);
  if (typeof layout === "string") return fail(layout);
  return { ok: true, format: "wav", contentType: "audio/wav", durationMs: Math.round((layout.dataBytes / layout.byteRate) * 1000) };
}

// ── MP3 ─────────────────────────────────────────────────────────────

const BITRATES_V1_L3 = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
const BITRATES_V2_L3 = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
const SAMPLE_RATES_V1 = [44100, 48000, 32000];

interface FrameHeader {
  length: number;
  samples: number;
  sampleRate: number;
}

/** An MPEG-1/2/2.5 layer III frame header at `offset`, or null. */
function readFrameHeader(data: Buffer, offset: number): FrameHeader | null {
  if (offset + 4 > data.length) return null;
  const b1 = data[offset + 1];
  const b2 = data[offset + 2];
  if (data[offset] !== 0xff || (b1 & 0xe0) !== 0xe0) return null;
  const version = (b1 >> 3) & 0b11; // 0: MPEG 2.5, 1: reserved, 2: MPEG 2, 3: MPEG 1
  const layer = (b1 >> 1) & 0b11; // 1: layer III
  if (version === 1 || layer !== 1) return null;
  const bitrateIndex = b2 >> 4;
  const rateIndex = (b2 >> 2) & 0b11;
  if (bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3) return null;
  const mpeg1 = version === 3;
  const bitrate = (mpeg1 ? BITRATES_V1_L3 : BITRATES_V2_L3)[bitrateIndex] * 1000;
  const sampleRate = SAMPLE_RATES_V1[rateIndex] / (mpeg1 ? 1 : version === 2 ? 2 : 4);
  const padding = (b2 >> 1) & 1;
  const length = Math.floor(((mpeg1 ? 144 : 72) * bitrate) / sampleRate) + padding;
  return { length, samples: mpeg1 ? 1152 : 576, sampleRate };
}

function inspectMp3(data: Buffer): AudioInspection {
  let offset = 0;
  if (data.toString("latin1", 0, 3) === "ID3") {
    if (data.length < 10) return fail("mp3_invalid");
    const sizeBytes = data.subarray(6, 10);
    if (sizeBytes.some((b) => b > 0x7f)) return fail("mp3_invalid"); // sizes are "syncsafe": 7 bits per byte
    const tagSize = (sizeBytes[0] << 21) | (sizeBytes[1] << 14) | (sizeBytes[2] << 7) | sizeBytes[3];
    const hasFooter = (data[5] & 0x10) !== 0;
    offset = 10 + tagSize + (hasFooter ? 10 : 0);
    // Some encoders pad after the tag with zeros.
    while (offset < data.length && data[offset] === 0) offset++;
  }
  let frames = 0;
  let seconds = 0;
  for (;;) {
    const frame = readFrameHeader(data, offset);
    if (!frame) break;
    frames++;
    seconds += frame.samples / frame.sampleRate;
    offset += frame.length;
    if (offset >= data.length) break;
  }
  // One frame followed by garbage is chance (any 0xFFE… pair looks like a sync); require two, or one that fills the file.
  const wholeFile = offset >= data.length;
  if (frames === 0 || (frames === 1 && !wholeFile)) return fail("mp3_invalid");
  return { ok: true, format: "mp3", contentType: "audio/mpeg", durationMs: Math.round(seconds * 1000) };
}

// ── names ───────────────────────────────────────────────────────────

/**
 * A client-supplied file name made safe for display: no folders, no control or
 * bidirectional-override characters, at most 120 characters. Never a path.
 */
export function sanitizeFileName(raw: string): string {
  const base = raw.split(/[\\/]/).pop() ?? "";
  const cleaned = base.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, "").trim();
  return cleaned.slice(0, 120) || "audio";
}

/** The default display name of an upload: its file name without the extension. */
export function nameFromFileName(fileName: string): string {
  const withoutExtension = fileName.replace(/\.[A-Za-z0-9]{1,5}$/, "").trim();
  return (withoutExtension || fileName).slice(0, 100);
}
