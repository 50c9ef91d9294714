/** Test-only: tells speech from silence and steady tones in decoded 8 kHz audio, frame by frame. */
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { FRAME_SAMPLES } from "../g711";

/** RMS of each 20 ms frame. */
export function frameLevels(pcm: Int16Array): number[] {
  const levels: number[] = [];
  for (let start = 0; start + FRAME_SAMPLES <= pcm.length; start += FRAME_SAMPLES) {
    let sum = 0;
    for (let i = start; i < start + FRAME_SAMPLES; i++) sum += pcm[i] * pcm[i];
    levels.push(Math.sqrt(sum / FRAME_SAMPLES));
  }
  return levels;
}

/**
 * Speech-like: enough loud frames (above about -36 dBFS) to be words, and
 * loudness that varies like syllables and pauses do, unlike silence or a tone.
 */
export function speechProfile(pcm: Int16Array): { loudFrames: number; quietFrames: number; levelSpread: number } {
  const levels = frameLevels(pcm);
  const loud = levels.filter((level) => level > 500);
  const mean = loud.reduce((sum, level) => sum + level, 0) / Math.max(1, loud.length);
  const spread = Math.sqrt(loud.reduce((sum, level) => sum + (level - mean) ** 2, 0) / Math.max(1, loud.length)) / Math.max(1, mean);
  return { loudFrames: loud.length, quietFrames: levels.length - loud.length, levelSpread: spread };
}

/**
 * sox's independent view of received G.711 A-law audio: how long it is, and
 * how long and how loud what is left once every pause longer than 0.2 s
 * (below 1 % of full scale) is cut out — the spoken part.
 */
export function soxSpeechStats(alaw: Buffer, dir: string): { seconds: number; voicedSeconds: number; voicedRms: number } {
  const raw = path.join(dir, "heard.al");
  const voiced = path.join(dir, "voiced.wav");
  fs.writeFileSync(raw, alaw);
  const input = ["-t", "al", "-r", "8000", "-c", "1", raw];
  execFileSync("sox", [...input, voiced, "silence", "1", "0.02", "1%", "-1", "0.2", "1%"]);
  const all = soxStat(input);
  const spoken = soxStat([voiced]);
  return { seconds: all("Length \\(seconds\\)"), voicedSeconds: spoken("Length \\(seconds\\)"), voicedRms: spoken("RMS\\s+amplitude") };
}

/** `sox … -n stat` (which reports on stderr), as a look-up of its figures by name. */
function soxStat(input: string[]): (name: string) => number {
  const { stderr } = spawnSync("sox", [...input, "-n", "stat"], { encoding: "utf8" });
  return (name) => Number(new RegExp(`${name}:\\s+([\\d.]+)`).exec(stderr)?.[1] ?? NaN);
}
