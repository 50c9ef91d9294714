/** The recording of a SIP leg, on a manual clock: placement by time, both directions mixed, bounded by the clock, discard. */
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { ManualClock } from "@/flows/runtime/testing/manualClock";
import { LegRecorder } from "./recording";

let dir: string;
let clock: ManualClock;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "sip-recording-"));
  clock = new ManualClock();
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const frame = (value: number) => new Int16Array(160).fill(value);

function samplesOf(file: string): Int16Array {
  const bytes = fs.readFileSync(file).subarray(44);
  return Int16Array.from({ length: bytes.length / 2 }, (_, i) => bytes.readInt16LE(i * 2));
}

it("mixes what the leg hears and what it says at their places in time; a pause becomes silence; the WAV lasts as long as the recording ran", () => {
  const recorder = LegRecorder.start(dir, clock);
  for (let i = 0; i < 50; i++) {
    clock.advance(20);
    recorder.said(frame(100)); // one second of our side, steadily
    if (i < 10) recorder.heard(frame(1000)); // their first 200 ms
  }
  for (let i = 0; i < 25; i++) {
    clock.advance(20);
    recorder.said(frame(100));
    if (i >= 15) recorder.heard(frame(-1000)); // after a 1.3 s pause they speak again
  }
  clock.advance(500);
  const file = recorder.finish();

  expect(file.durationMs).toBe(2000);
  expect(file.sizeBytes).toBe(44 + 16000 * 2);
  const bytes = fs.readFileSync(file.path);
  expect(bytes.length).toBe(file.sizeBytes);
  expect(file.sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
  expect(bytes.subarray(0, 4).toString()).toBe("RIFF");
  const samples = samplesOf(file.path);
  expect(samples[100]).toBe(1100); // both sides at 0-200 ms
  expect(samples[8 * 600]).toBe(100); // only our side during their pause
  expect(samples[8 * 1400]).toBe(-900); // both again at 1.3-1.5 s
  expect(samples[8 * 1800]).toBe(0); // after the last frame: silence until the end
});

it("a leg that ended keeps its length whenever the recording is collected; audio faster than real time is not believed; discard removes the file", () => {
  const recorder = LegRecorder.start(dir, clock);
  clock.advance(1000);
  for (let i = 0; i < 500; i++) recorder.heard(frame(500)); // 10 s of audio arriving at once
  recorder.end();
  clock.advance(60_000);
  const file = recorder.finish();
  expect(file.durationMs).toBe(1000);
  const samples = samplesOf(file.path);
  expect(samples[7900]).toBe(500); // placed at the moment it arrived, not at the start
  expect(samples.every((sample) => sample === 0 || sample === 500)).toBe(true);

  const discarded = LegRecorder.start(dir, clock);
  clock.advance(500);
  discarded.heard(frame(1));
  discarded.discard();
  expect(fs.readdirSync(dir)).toEqual([path.basename(file.path)]);
});

it("writes settled seconds to the file as the call goes on, so memory stays small in a long call", () => {
  const recorder = LegRecorder.start(dir, clock);
  const filePath = fs.readdirSync(dir).map((name) => path.join(dir, name))[0];
  for (let i = 0; i < 50 * 10; i++) {
    clock.advance(20);
    recorder.said(frame(7));
  }
  // Seconds 0-7 are settled (two seconds behind the clock) and already on disk.
  expect(fs.statSync(filePath).size).toBe(44 + 8 * 8000 * 2);
  const file = recorder.finish();
  expect(file.durationMs).toBe(10_000);
  expect(samplesOf(file.path).filter((sample) => sample === 7)).toHaveLength(80_000);
});
