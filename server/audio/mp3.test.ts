import { describe, expect, it } from "vitest";
import { encodeWavToMp3, speechBitrateKbps, UnsupportedWavError, wavToMono16 } from "./mp3";
import { inspectAudio } from "./format";
import { decodeMp3, wavBytes } from "./testAudio";

describe("encodeWavToMp3", () => {
  it("turns 3 s of a 440 Hz tone at 8 kHz (what the engine writes) into an mp3 that decodes to the same 3 s of sound", async () => {
    const wav = wavBytes({ durationMs: 3000, sampleRate: 8000, toneHz: 440 });
    const mp3 = await encodeWavToMp3(wav);
    expect(inspectAudio(mp3)).toMatchObject({ ok: true, format: "mp3" });
    const decoded = await decodeMp3(mp3);
    expect(decoded.errors).toBe(0);
    expect(decoded.sampleRate).toBe(8000);
    expect(Math.abs(decoded.soundSeconds - 3)).toBeLessThanOrEqual(0.15);
    // Encoder delay and the last frame's padding are silence, never more than a few 72 ms frames.
    expect(decoded.seconds - 3).toBeGreaterThanOrEqual(0);
    expect(decoded.seconds - 3).toBeLessThan(0.3);
    // The tone's RMS is 8000/32768/√2 ≈ 0.17; an encoder that dropped the signal would give ~0.
    expect(decoded.rms).toBeGreaterThan(0.1);
    expect(decoded.rms).toBeLessThan(0.25);
    // 32 kbit/s: a quarter of 16-bit PCM at 8 kHz (128 kbit/s).
    expect(mp3.length / wav.length).toBeLessThan(0.3);
  });

  it("decodes A-law and stereo input to mono before encoding, at the WAV's own rate", async () => {
    const alaw = wavToMono16(wavBytes({ durationMs: 500, encoding: 6, bits: 8, toneHz: 440 }));
    expect(alaw.sampleRate).toBe(8000);
    expect(alaw.samples.length).toBe(4000);
    expect(Math.max(...alaw.samples)).toBeGreaterThan(7000); // G.711 keeps the 8000 peak within its step size

    const stereo = await decodeMp3(await encodeWavToMp3(wavBytes({ durationMs: 1000, sampleRate: 16000, channels: 2, toneHz: 440 })));
    expect(stereo.sampleRate).toBe(16000);
    expect(Math.abs(stereo.soundSeconds - 1)).toBeLessThanOrEqual(0.15);
    expect(stereo.rms).toBeGreaterThan(0.1);
    expect(speechBitrateKbps(16000)).toBe(48);
  });

  it("refuses what it cannot encode with a reason", async () => {
    await expect(encodeWavToMp3(wavBytes({ sampleRate: 96000 }))).rejects.toThrow(UnsupportedWavError);
    await expect(encodeWavToMp3(Buffer.from("RIFF....WAVE"))).rejects.toThrow(/wav_/);
  });
});
