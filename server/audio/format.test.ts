import { describe, expect, it } from "vitest";
import { MAX_AUDIO_BYTES, inspectAudio, nameFromFileName, sanitizeFileName } from "./format";
import { mp3Bytes, wavBytes } from "./testAudio";

describe("inspectAudio", () => {
  it("accepts a PCM WAV and measures it from the header", () => {
    expect(inspectAudio(wavBytes({ durationMs: 1500 }))).toEqual({ ok: true, format: "wav", contentType: "audio/wav", durationMs: 1500 });
    expect(inspectAudio(wavBytes({ durationMs: 250, sampleRate: 44100, channels: 2, bits: 16 }))).toMatchObject({ ok: true, durationMs: 250 });
    expect(inspectAudio(wavBytes({ encoding: 7, bits: 8 }))).toMatchObject({ ok: true, format: "wav" }); // µ-law, telephone audio
  });

  it("skips other chunks before the audio (LIST, fact…)", () => {
    const wav = wavBytes({ durationMs: 1000 });
    const list = Buffer.concat([Buffer.from("LIST", "latin1"), Buffer.from([3, 0, 0, 0]), Buffer.from("abc"), Buffer.alloc(1)]); // odd size: padded
    const withList = Buffer.concat([wav.subarray(0, 36), list, wav.subarray(36)]);
    withList.writeUInt32LE(withList.length - 8, 4);
    expect(inspectAudio(withList)).toMatchObject({ ok: true, durationMs: 1000 });
  });

  it("refuses a WAV cut short", () => {
    const wav = wavBytes({ durationMs: 1000 });
    expect(inspectAudio(wav.subarray(0, wav.length - 100))).toEqual({ ok: false, problem: "wav_truncated" });
    expect(inspectAudio(wav.subarray(0, 30))).toEqual({ ok: false, problem: "wav_truncated" });
  });

  it("refuses a WAV whose audio is compressed or whose header does not add up", () => {
    expect(inspectAudio(wavBytes({ encoding: 2 }))).toEqual({ ok: false, problem: "wav_unsupported_encoding" }); // ADPCM
    const wrongRate = wavBytes();
    wrongRate.writeUInt32LE(12345, 28); // byte rate disagrees with the sample rate
    expect(inspectAudio(wrongRate)).toEqual({ ok: false, problem: "wav_invalid" });
    const notWave = wavBytes();
    notWave.write("AVI ", 8, "latin1");
    expect(inspectAudio(notWave)).toEqual({ ok: false, problem: "wav_invalid" });
  });

  it("refuses text, whatever the file is called", () => {
    expect(inspectAudio(Buffer.from("Hello, this is not audio.\n"))).toEqual({ ok: false, problem: "unsupported_format" });
    expect(inspectAudio(Buffer.from("RIFF and some text"))).toMatchObject({ ok: false });
    expect(inspectAudio(new Uint8Array())).toEqual({ ok: false, problem: "empty" });
  });

  it("refuses anything over 10 MB before looking at it", () => {
    expect(inspectAudio(new Uint8Array(MAX_AUDIO_BYTES + 1))).toEqual({ ok: false, problem: "too_large" });
  });

  it("accepts an MP3 with or without an ID3 tag and counts its frames", () => {
    const seconds = (40 * 1152) / 44100;
    expect(inspectAudio(mp3Bytes(40))).toEqual({ ok: true, format: "mp3", contentType: "audio/mpeg", durationMs: Math.round(seconds * 1000) });
    expect(inspectAudio(mp3Bytes(40, false))).toMatchObject({ ok: true, format: "mp3" });
  });

  it("refuses an ID3 tag followed by no audio, or one lucky sync word", () => {
    expect(inspectAudio(mp3Bytes(0))).toEqual({ ok: false, problem: "mp3_invalid" });
    expect(inspectAudio(Buffer.concat([Buffer.from([0xff, 0xfb, 0x90, 0xc4]), Buffer.from("x".repeat(1000))]))).toEqual({ ok: false, problem: "mp3_invalid" });
  });
});

describe("file names", () => {
  it("keeps only a displayable base name", () => {
    expect(sanitizeFileName("../../etc/passwd")).toBe("passwd");
    expect(sanitizeFileName("C:\\Users\\x\\köszöntő.wav")).toBe("köszöntő.wav");
    expect(sanitizeFileName("evil\u202egnp.wav\u0000")).toBe("evilgnp.wav");
    expect(sanitizeFileName("   ")).toBe("audio");
    expect(sanitizeFileName("a".repeat(300))).toHaveLength(120);
    expect(nameFromFileName("welcome message.wav")).toBe("welcome message");
  });
});
