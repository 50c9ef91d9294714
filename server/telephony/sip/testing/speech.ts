/** Test-only: tells speech from silence and steady tones in decoded 8 kHz audio, frame by frame. */
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
