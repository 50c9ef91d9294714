import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { RecordingFile } from "../engine";

/** PCM 8 kHz mono 16-bit: telephone-quality audio (the SIP edge's recordings use the same format). */
export const SAMPLE_RATE = 8000;
export const BYTES_PER_SAMPLE = 2;
export const HEADER_BYTES = 44;
/** 400 Hz divides 8 kHz exactly, so one second of tone repeats seamlessly. */
const TONE_HZ = 400;
/** Quiet: about -30 dBFS. */
const TONE_AMPLITUDE = 1000;

/** 18 random bytes = 144 bits, 24 url-safe characters. */
const CODE_BYTES = 18;
const CODE_PATTERN = /^[A-Za-z0-9_-]{24}$/;

export function newRecordingCode(): string {
  return randomBytes(CODE_BYTES).toString("base64url");
}

/** Guards file look-ups by code (e.g. `GET /recordings/{code}`) against path traversal. */
export function isRecordingCode(value: string): boolean {
  return CODE_PATTERN.test(value);
}

export function recordingPath(recordingsDir: string, code: string): string {
  if (!isRecordingCode(code)) throw new Error("invalid recording code");
  return path.join(recordingsDir, `${code}.wav`);
}

function sampleCount(durationMs: number): number {
  return Math.max(0, Math.round((durationMs * SAMPLE_RATE) / 1000));
}

export function wavHeader(dataBytes: number): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  header.write("RIFF", 0, "ascii");
  header.writeUInt32LE(36 + dataBytes, 4);
  header.write("WAVE", 8, "ascii");
  header.write("fmt ", 12, "ascii");
  header.writeUInt32LE(16, 16); // fmt chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(SAMPLE_RATE, 24);
  header.writeUInt32LE(SAMPLE_RATE * BYTES_PER_SAMPLE, 28); // byte rate
  header.writeUInt16LE(BYTES_PER_SAMPLE, 32); // block align
  header.writeUInt16LE(8 * BYTES_PER_SAMPLE, 34); // bits per sample
  header.write("data", 36, "ascii");
  header.writeUInt32LE(dataBytes, 40);
  return header;
}

let oneSecondOfTone: Buffer | null = null;
function toneSecond(): Buffer {
  if (!oneSecondOfTone) {
    oneSecondOfTone = Buffer.alloc(SAMPLE_RATE * BYTES_PER_SAMPLE);
    for (let i = 0; i < SAMPLE_RATE; i++) {
      const sample = Math.round(TONE_AMPLITUDE * Math.sin((2 * Math.PI * TONE_HZ * i) / SAMPLE_RATE));
      oneSecondOfTone.writeInt16LE(sample, i * BYTES_PER_SAMPLE);
    }
  }
  return oneSecondOfTone;
}

/**
 * Writes a WAV file of a quiet tone lasting `durationMs` and returns its
 * metadata. Synchronous so the caller can put size and hash into a CDR at
 * once; it writes in one-second chunks, hashing as it goes.
 */
export function writeToneWav(recordingsDir: string, durationMs: number): RecordingFile {
  fs.mkdirSync(recordingsDir, { recursive: true });
  const code = newRecordingCode();
  const filePath = recordingPath(recordingsDir, code);
  const dataBytes = sampleCount(durationMs) * BYTES_PER_SAMPLE;
  const hash = createHash("sha256");
  const fd = fs.openSync(filePath, "wx");
  try {
    const header = wavHeader(dataBytes);
    fs.writeSync(fd, header);
    hash.update(header);
    const tone = toneSecond();
    for (let remaining = dataBytes; remaining > 0; remaining -= tone.length) {
      const chunk = remaining >= tone.length ? tone : tone.subarray(0, remaining);
      fs.writeSync(fd, chunk);
      hash.update(chunk);
    }
  } finally {
    fs.closeSync(fd);
  }
  return {
    code,
    path: filePath,
    durationMs: (dataBytes / BYTES_PER_SAMPLE / SAMPLE_RATE) * 1000,
    sizeBytes: HEADER_BYTES + dataBytes,
    sha256: hash.digest("hex"),
    format: "wav",
  };
}
