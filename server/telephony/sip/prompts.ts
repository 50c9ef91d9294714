/**
 * What a prompt sounds like on the SIP edge: text rendered by Debian's
 * `espeak-ng`, or an uploaded recording, converted by `sox` to 8 kHz 16-bit
 * mono PCM and cached in the data folder (text prompts by language + text,
 * recordings by their immutable id). Both tools run with argument arrays
 * (never a shell) and the text goes in on stdin, so prompt text cannot
 * become an option or a command.
 */
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Logger } from "@/flows/runtime/ports";
import type { PromptToPlay } from "../engine";
import { SAMPLE_RATE } from "./g711";

export interface PromptAudioOptions {
  /** `<data>/sip-prompts`: rendered prompts, safe to delete at any time. */
  cacheDir: string;
  /** The file of an uploaded recording (the audio prompt library), or undefined when there is none (may be looked up asynchronously). */
  recordingFile: (audioId: string) => string | undefined | Promise<string | undefined>;
  logger: Logger;
  /** Milliseconds a tool may run before it is killed. */
  toolTimeoutMs?: number;
  /**
   * Rendered prompts kept; beyond it the least recently played go. Prompts
   * rendered from templates (a caller's name, a balance) are all different,
   * so without a bound the cache would grow with every call. Default 5000.
   */
  maxCachedFiles?: number;
  /** Renders (espeak-ng + sox) running at once; the rest wait. A burst of new prompts must not fork a process per call. Default: the number of CPUs. */
  maxConcurrentRenders?: number;
}

const MAX_TEXT_CHARS = 5000;
const FALLBACK_VOICE = "en";
const AUDIO_ID = /^[A-Za-z0-9_-]{1,64}$/;

export class PromptAudio {
  private readonly rendering = new Map<string, Promise<string>>();
  private readonly toolTimeoutMs: number;
  private readonly maxCachedFiles: number;
  private readonly maxConcurrentRenders: number;
  private rendersRunning = 0;
  private readonly waitingForRender: (() => void)[] = [];

  constructor(private readonly options: PromptAudioOptions) {
    this.toolTimeoutMs = options.toolTimeoutMs ?? 15_000;
    this.maxCachedFiles = options.maxCachedFiles ?? 5000;
    this.maxConcurrentRenders = Math.max(1, options.maxConcurrentRenders ?? os.availableParallelism());
  }

  /** 8 kHz PCM samples of the prompt: the recording when it has one that converts, else its text spoken. */
  async pcm(prompt: PromptToPlay): Promise<Int16Array> {
    if (prompt.audioId !== undefined) {
      const recording = await this.recordingPcm(prompt.audioId).catch((error: unknown) => {
        this.options.logger.warn({ audioId: prompt.audioId, err: String(error) }, "SIP edge: recording could not be converted; speaking the prompt text instead");
        return null;
      });
      if (recording) return recording;
    }
    return readPcmWav(await fs.promises.readFile(await this.speechFile(prompt.text, prompt.language)));
  }

  private async recordingPcm(audioId: string): Promise<Int16Array | null> {
    const source = AUDIO_ID.test(audioId) ? await this.options.recordingFile(audioId) : undefined;
    if (!source) return null;
    const file = await this.cached(`recording-${audioId}`, (target) => this.run("sox", [source, ...PCM_8K_ARGS(target)]));
    return readPcmWav(await fs.promises.readFile(file));
  }

  private speechFile(text: string, language: string): Promise<string> {
    const spoken = text.slice(0, MAX_TEXT_CHARS);
    const voice = espeakVoice(language);
    const key = createHash("sha256").update(`${voice}\n${spoken}`).digest("hex");
    return this.cached(`tts-${key}`, async (target) => {
      const raw = `${target}.espeak.wav`;
      try {
        await this.run("espeak-ng", ["-v", voice, "-w", raw, "--stdin"], spoken).catch((error: unknown) => {
          if (voice === FALLBACK_VOICE) throw error;
          this.options.logger.warn({ language }, "SIP edge: espeak-ng has no voice for this language; using English");
          return this.run("espeak-ng", ["-v", FALLBACK_VOICE, "-w", raw, "--stdin"], spoken);
        });
        await this.run("sox", [raw, ...PCM_8K_ARGS(target)]);
      } finally {
        await fs.promises.rm(raw, { force: true });
      }
    });
  }

  /**
   * Renders `name` once (concurrent requests share the work), written under a
   * temporary name and renamed into place. A hit refreshes the file's time,
   * which is what "least recently played" goes by when the cache is trimmed.
   */
  private cached(name: string, render: (target: string) => Promise<unknown>): Promise<string> {
    const file = path.join(this.options.cacheDir, `${name}.wav`);
    const pending = this.rendering.get(file);
    if (pending) return pending;
    const work = (async () => {
      const now = new Date();
      const hit = await fs.promises.utimes(file, now, now).then(
        () => true,
        () => false,
      );
      if (hit) return file;
      await fs.promises.mkdir(this.options.cacheDir, { recursive: true });
      const temp = path.join(this.options.cacheDir, `.render-${randomBytes(6).toString("hex")}.wav`);
      await this.renderSlot();
      try {
        await render(temp);
        await fs.promises.rename(temp, file);
      } finally {
        this.releaseRenderSlot();
        await fs.promises.rm(temp, { force: true });
      }
      await this.trim();
      return file;
    })().finally(() => this.rendering.delete(file));
    this.rendering.set(file, work);
    return work;
  }

  private async renderSlot(): Promise<void> {
    if (this.rendersRunning < this.maxConcurrentRenders) {
      this.rendersRunning++;
      return;
    }
    // The slot is handed over by releaseRenderSlot, so the count stays as it is.
    await new Promise<void>((resolve) => this.waitingForRender.push(resolve));
  }

  private releaseRenderSlot(): void {
    const next = this.waitingForRender.shift();
    if (next) next();
    else this.rendersRunning--;
  }

  /** Removes the least recently played files beyond `maxCachedFiles`. */
  private async trim(): Promise<void> {
    const names = (await fs.promises.readdir(this.options.cacheDir)).filter((name) => name.endsWith(".wav") && !name.startsWith("."));
    if (names.length <= this.maxCachedFiles) return;
    const files = await Promise.all(
      names.map(async (name) => {
        const file = path.join(this.options.cacheDir, name);
        const stat = await fs.promises.stat(file).catch(() => null);
        return { file, usedAt: stat?.mtimeMs ?? 0 };
      }),
    );
    files.sort((a, b) => a.usedAt - b.usedAt);
    await Promise.all(files.slice(0, files.length - this.maxCachedFiles).map(({ file }) => fs.promises.rm(file, { force: true })));
  }

  private run(command: string, args: string[], stdin?: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = execFile(command, args, { timeout: this.toolTimeoutMs, maxBuffer: 1024 * 1024 }, (error, _stdout, stderr) => {
        if (error) reject(new Error(`${command} failed: ${String(stderr).trim() || error.message}`));
        else resolve();
      });
      child.stdin?.on("error", () => undefined);
      child.stdin?.end(stdin ?? "");
    });
  }
}

const PCM_8K_ARGS = (target: string) => ["-r", String(SAMPLE_RATE), "-c", "1", "-b", "16", "-e", "signed-integer", "-t", "wav", target];

/** espeak-ng names voices by lower-case language tag ("en", "hu", "en-us"); anything odd falls back to English. */
export function espeakVoice(language: string): string {
  const tag = language.trim().toLowerCase();
  return /^[a-z]{2,3}(-[a-z0-9]{2,8})?$/.test(tag) ? tag : FALLBACK_VOICE;
}

/** Reads the samples of a 16-bit mono PCM WAV file (what `sox` wrote); throws on anything else. */
export function readPcmWav(file: Buffer): Int16Array {
  if (file.length < 12 || file.toString("latin1", 0, 4) !== "RIFF" || file.toString("latin1", 8, 12) !== "WAVE") throw new Error("not a WAV file");
  let offset = 12;
  let pcm16Mono = false;
  while (offset + 8 <= file.length) {
    const id = file.toString("latin1", offset, offset + 4);
    const size = file.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === "fmt ") {
      pcm16Mono = size >= 16 && file.readUInt16LE(body) === 1 && file.readUInt16LE(body + 2) === 1 && file.readUInt16LE(body + 14) === 16;
      if (!pcm16Mono || file.readUInt32LE(body + 4) !== SAMPLE_RATE) throw new Error("not 8 kHz 16-bit mono PCM");
    } else if (id === "data") {
      if (!pcm16Mono) throw new Error("WAV data before its format");
      const end = Math.min(file.length, body + size);
      const samples = new Int16Array(Math.floor((end - body) / 2));
      for (let i = 0; i < samples.length; i++) samples[i] = file.readInt16LE(body + i * 2);
      return samples;
    }
    offset = body + size + (size % 2);
  }
  throw new Error("WAV file without data");
}
