/**
 * The recording of one SIP leg: what the far end says and what it hears
 * (prompts, or the other side of a bridge), mixed into one mono WAV file in
 * the simulated engine's format (8 kHz, 16-bit PCM, server/telephony/simulated/wav.ts).
 *
 * Audio is placed by the clock, not by packet count: each direction keeps a
 * cursor, packets follow one another, and a pause longer than `GAP_SAMPLES`
 * (lost packets, a peer sending nothing) becomes silence at its true place.
 * Mixed one-second blocks are written to the file once they are two seconds
 * old, so memory stays a few seconds per call however long the call; the
 * header and the hash are done at `finish()`, synchronously, because the
 * final CDR that carries size and sha256 is written at the instant the call ends.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import type { Clock } from "@/flows/runtime/ports";
import type { RecordingFile } from "../engine";
import { BYTES_PER_SAMPLE, HEADER_BYTES, newRecordingCode, recordingPath, SAMPLE_RATE, wavHeader } from "../simulated/wav";

/** What a recorded RTP session reports: 16-bit PCM at 8 kHz, per packet. */
export interface RecordingSink {
  /** Audio from the far end. */
  heard(samples: Int16Array): void;
  /** Audio sent to the far end. */
  said(samples: Int16Array): void;
}

const BLOCK_SAMPLES = SAMPLE_RATE;
/** Blocks this far behind the clock no longer change (a packet later than that is dropped) and go to the file. */
const SETTLED_BLOCKS = 2;
/** A packet arriving this much later than its cursor expects starts after silence (60 ms: three frames). */
const GAP_SAMPLES = 480;
/** A peer sending faster than real time is not believed beyond one second ahead. */
const AHEAD_SAMPLES = SAMPLE_RATE;

type Track = "heard" | "said";

export class LegRecorder implements RecordingSink {
  private readonly blocks = new Map<number, Int16Array>();
  private writtenBlocks = 0;
  private readonly cursors: Record<Track, number> = { heard: 0, said: 0 };
  private endedAt: number | null = null;
  private fd: number | null;

  private constructor(
    private readonly clock: Clock,
    private readonly code: string,
    private readonly path: string,
    fd: number,
    private readonly startedAt: number,
  ) {
    this.fd = fd;
  }

  static start(recordingsDir: string, clock: Clock): LegRecorder {
    fs.mkdirSync(recordingsDir, { recursive: true });
    const code = newRecordingCode();
    const filePath = recordingPath(recordingsDir, code);
    // Read back at the end for the hash, so opened for both.
    const fd = fs.openSync(filePath, "wx+");
    fs.writeSync(fd, Buffer.alloc(HEADER_BYTES));
    return new LegRecorder(clock, code, filePath, fd, clock.now());
  }

  heard(samples: Int16Array): void {
    this.add("heard", samples);
  }

  said(samples: Int16Array): void {
    this.add("said", samples);
  }

  /** The leg is over: the recording lasts until now, whenever it is collected. */
  end(): void {
    this.endedAt ??= this.clock.now();
  }

  /** Writes what is left, the header, and hashes the file. */
  finish(): RecordingFile {
    const fd = this.fd;
    if (fd === null) throw new Error("recording already finished");
    this.end();
    const total = this.samplesAt(this.endedAt!);
    this.writeBlocksBefore(Math.ceil(total / BLOCK_SAMPLES));
    const dataBytes = total * BYTES_PER_SAMPLE;
    fs.ftruncateSync(fd, HEADER_BYTES + dataBytes);
    fs.writeSync(fd, wavHeader(dataBytes), 0, HEADER_BYTES, 0);
    const hash = createHash("sha256");
    const chunk = Buffer.alloc(64 * 1024);
    for (let position = 0, read; (read = fs.readSync(fd, chunk, 0, chunk.length, position)) > 0; position += read) hash.update(chunk.subarray(0, read));
    fs.closeSync(fd);
    this.fd = null;
    this.blocks.clear();
    return { code: this.code, path: this.path, durationMs: (total / SAMPLE_RATE) * 1000, sizeBytes: HEADER_BYTES + dataBytes, sha256: hash.digest("hex"), format: "wav" };
  }

  /** Removes the file (voicemail too short, or nobody will ever collect it). */
  discard(): void {
    if (this.fd === null) return;
    fs.closeSync(this.fd);
    this.fd = null;
    this.blocks.clear();
    fs.rmSync(this.path, { force: true });
  }

  private samplesAt(time: number): number {
    return Math.max(0, Math.round(((time - this.startedAt) * SAMPLE_RATE) / 1000));
  }

  private add(track: Track, samples: Int16Array): void {
    if (this.fd === null || this.endedAt !== null) return;
    const now = this.samplesAt(this.clock.now());
    const due = now - samples.length;
    let at = this.cursors[track];
    if (due - at > GAP_SAMPLES) at = due;
    if (at - now > AHEAD_SAMPLES) return;
    this.mix(at, samples);
    this.cursors[track] = at + samples.length;
    const settled = Math.floor(now / BLOCK_SAMPLES) - SETTLED_BLOCKS;
    if (settled > this.writtenBlocks) this.writeBlocksBefore(settled);
  }

  /** Adds samples into the mix from position `at` (saturating); parts already written are too late and dropped. */
  private mix(at: number, samples: Int16Array): void {
    let index = Math.max(0, this.writtenBlocks * BLOCK_SAMPLES - at);
    while (index < samples.length) {
      const position = at + index;
      const blockIndex = Math.floor(position / BLOCK_SAMPLES);
      let block = this.blocks.get(blockIndex);
      if (!block) this.blocks.set(blockIndex, (block = new Int16Array(BLOCK_SAMPLES)));
      const offset = position - blockIndex * BLOCK_SAMPLES;
      const count = Math.min(samples.length - index, BLOCK_SAMPLES - offset);
      for (let i = 0; i < count; i++) {
        const sum = block[offset + i] + samples[index + i];
        block[offset + i] = sum > 32767 ? 32767 : sum < -32768 ? -32768 : sum;
      }
      index += count;
    }
  }

  private writeBlocksBefore(end: number): void {
    const fd = this.fd!;
    const blockBytes = BLOCK_SAMPLES * BYTES_PER_SAMPLE;
    for (let blockIndex = this.writtenBlocks; blockIndex < end; blockIndex++) {
      const block = this.blocks.get(blockIndex) ?? new Int16Array(BLOCK_SAMPLES);
      fs.writeSync(fd, littleEndian(block), 0, blockBytes, HEADER_BYTES + blockIndex * blockBytes);
      this.blocks.delete(blockIndex);
    }
    this.writtenBlocks = Math.max(this.writtenBlocks, end);
  }
}

/** WAV samples are little-endian; on a little-endian machine (x86, ARM) the block's memory already is. */
function littleEndian(block: Int16Array): Buffer {
  const bytes = Buffer.from(block.buffer, block.byteOffset, block.byteLength);
  if (os.endianness() === "LE") return bytes;
  const swapped = Buffer.alloc(bytes.length);
  for (let i = 0; i < block.length; i++) swapped.writeInt16LE(block[i], i * BYTES_PER_SAMPLE);
  return swapped;
}
