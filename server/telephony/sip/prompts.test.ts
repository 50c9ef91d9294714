import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { writeToneWav } from "../simulated/wav";
import { espeakVoice, PromptAudio, readPcmWav } from "./prompts";
import { speechProfile } from "./testing/speech";

const hasTools = ["espeak-ng", "sox"].every((tool) => {
  try {
    execFileSync("which", [tool], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
});
if (!hasTools) console.warn("SKIPPED: SIP prompt tests need Debian's espeak-ng and sox (apt-get install espeak-ng sox)");

let dir: string;
let warnings: string[];
const recordings = new Map<string, string>();
const promptAudio = () =>
  new PromptAudio({
    cacheDir: path.join(dir, "cache"),
    recordingFile: (audioId) => recordings.get(audioId),
    logger: { debug: () => undefined, info: () => undefined, warn: (_f, message) => warnings.push(message), error: (_f, message) => warnings.push(message) },
  });

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "sip-prompts-"));
  warnings = [];
  recordings.clear();
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!hasTools)("prompt audio (espeak-ng + sox)", () => {
  it("speaks the text as 8 kHz speech and caches it per language and text", async () => {
    const audio = promptAudio();
    const pcm = await audio.pcm({ text: "Welcome to Switchboard. For sales, press 1.", language: "en" });
    expect(pcm.length / 8000).toBeGreaterThan(1.5);
    const profile = speechProfile(pcm);
    expect(profile.loudFrames).toBeGreaterThan(50);
    expect(profile.quietFrames).toBeGreaterThan(5);
    expect(profile.levelSpread).toBeGreaterThan(0.2);
    const cached = fs.readdirSync(path.join(dir, "cache"));
    expect(cached).toHaveLength(1);
    const again = await promptAudio().pcm({ text: "Welcome to Switchboard. For sales, press 1.", language: "en" });
    expect(again).toEqual(pcm);
    await audio.pcm({ text: "Üdvözöljük a Switchboardnál.", language: "hu" });
    expect(fs.readdirSync(path.join(dir, "cache"))).toHaveLength(2);
  });

  it("keeps at most maxCachedFiles prompts, dropping the least recently played", async () => {
    const audio = new PromptAudio({ cacheDir: path.join(dir, "cache"), recordingFile: () => undefined, logger: { debug() {}, info() {}, warn() {}, error() {} }, maxCachedFiles: 2 });
    await audio.pcm({ text: "One", language: "en" });
    await audio.pcm({ text: "Two", language: "en" });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await audio.pcm({ text: "One", language: "en" }); // played again: now the most recent
    await new Promise((resolve) => setTimeout(resolve, 20));
    await audio.pcm({ text: "Three", language: "en" });
    const cachedName = (text: string) => `tts-${createHash("sha256").update(`en\n${text}`).digest("hex")}.wav`;
    expect(fs.readdirSync(path.join(dir, "cache")).sort()).toEqual([cachedName("One"), cachedName("Three")].sort());
  });

  it("runs at most maxConcurrentRenders renders at once", async () => {
    // A stand-in espeak-ng first on PATH logs when each render starts and ends around the real one.
    const bin = path.join(dir, "bin");
    const log = path.join(dir, "renders.log");
    fs.mkdirSync(bin);
    const realEspeak = execFileSync("which", ["espeak-ng"]).toString().trim();
    fs.writeFileSync(path.join(bin, "espeak-ng"), `#!/bin/sh\necho start >> ${log}\nsleep 0.1\n${realEspeak} "$@"\nrc=$?\necho end >> ${log}\nexit $rc\n`, { mode: 0o755 });
    const originalPath = process.env.PATH;
    process.env.PATH = `${bin}:${originalPath}`;
    try {
      const audio = new PromptAudio({ cacheDir: path.join(dir, "cache"), recordingFile: () => undefined, logger: { debug() {}, info() {}, warn() {}, error() {} }, maxConcurrentRenders: 1 });
      await Promise.all(["Alpha", "Bravo", "Charlie"].map((text) => audio.pcm({ text, language: "en" })));
    } finally {
      process.env.PATH = originalPath;
    }
    expect(fs.readFileSync(log, "utf8").trim().split("\n")).toEqual(["start", "end", "start", "end", "start", "end"]);
  });

  it("shares one rendering between concurrent plays of the same prompt", async () => {
    const audio = promptAudio();
    const [a, b] = await Promise.all([audio.pcm({ text: "Same words", language: "en" }), audio.pcm({ text: "Same words", language: "en" })]);
    expect(a).toEqual(b);
    expect(fs.readdirSync(path.join(dir, "cache"))).toHaveLength(1);
  });

  it("falls back to English for a language espeak-ng has no voice for; text that looks like an option is spoken", async () => {
    const pcm = await promptAudio().pcm({ text: "--help -w /etc/passwd", language: "xq" });
    expect(speechProfile(pcm).loudFrames).toBeGreaterThan(20);
    expect(warnings).toContain("SIP edge: espeak-ng has no voice for this language; using English");
  });

  it("plays an uploaded recording converted to 8 kHz, and speaks the text when the recording cannot be converted", async () => {
    const tone = writeToneWav(path.join(dir, "uploads"), 1500);
    const wideband = path.join(dir, "uploads", "wide.wav");
    execFileSync("sox", [tone.path, "-r", "16000", wideband]);
    recordings.set("aud_tone", wideband);
    const pcm = await promptAudio().pcm({ text: "ignored", language: "en", audioId: "aud_tone" });
    expect(pcm.length).toBeGreaterThan(11_900);
    expect(pcm.length).toBeLessThan(12_100);
    // A steady tone is loud but not speech-like: the detector the call tests rely on tells them apart.
    expect(speechProfile(pcm).levelSpread).toBeLessThan(0.1);

    const broken = path.join(dir, "uploads", "broken.wav");
    fs.writeFileSync(broken, "RIFF....WAVEnot really");
    recordings.set("aud_broken", broken);
    const spoken = await promptAudio().pcm({ text: "Spoken instead", language: "en", audioId: "aud_broken" });
    expect(speechProfile(spoken).loudFrames).toBeGreaterThan(20);
    expect(warnings).toContain("SIP edge: recording could not be converted; speaking the prompt text instead");
  });
});

describe("prompt helpers", () => {
  it("maps languages to espeak-ng voices and refuses odd ones", () => {
    expect(espeakVoice("hu")).toBe("hu");
    expect(espeakVoice("en-US")).toBe("en-us");
    expect(espeakVoice("../../etc")).toBe("en");
  });

  it("reads only 8 kHz 16-bit mono PCM WAV", () => {
    const tone = writeToneWav(fs.mkdtempSync(path.join(os.tmpdir(), "sip-wav-")), 100);
    expect(readPcmWav(fs.readFileSync(tone.path))).toHaveLength(800);
    expect(() => readPcmWav(Buffer.from("not a wav"))).toThrow();
    const stereo = fs.readFileSync(tone.path);
    stereo.writeUInt16LE(2, 22);
    expect(() => readPcmWav(stereo)).toThrow(/8 kHz 16-bit mono/);
    fs.rmSync(path.dirname(tone.path), { recursive: true, force: true });
  });
});
