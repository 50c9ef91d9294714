import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import type { RecordingFormat } from "@/lib/schemas/integration";
import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { recordings } from "../db/schema";
import { encodeWavToMp3 } from "../audio/mp3";
import { isRecordingCode, recordingPath } from "../telephony/simulated/wav";

/**
 * Serves a recording as WAV (the stored original) or MP3 (encoded on first
 * request and cached next to the WAV) with HTTP Range support (one range;
 * 206 with Content-Range, 416 when unsatisfiable) and an ETag. Used by the
 * public `GET /api/v1/recordings/{code}` and by the portal's call-history
 * player; each caller does its own authentication first.
 */

const contentTypes: Record<RecordingFormat, string> = { wav: "audio/wav", mp3: "audio/mpeg" };

const acceptedTypes: Record<RecordingFormat, string[]> = { wav: ["audio/wav", "audio/wave", "audio/x-wav"], mp3: ["audio/mpeg", "audio/mp3"] };

/**
 * The format an `Accept` header asks for: the one with the higher quality
 * value, WAV on a tie or without the header (what the API always served);
 * null when the header allows neither (the API answers 406).
 */
export function negotiateRecordingFormat(accept: string | null): RecordingFormat | null {
  if (!accept?.trim()) return "wav";
  const ranges = accept.split(",").map((part) => {
    const [type, ...parameters] = part.trim().toLowerCase().split(";");
    const q = parameters.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((value) => value !== undefined);
    return { type: type.trim(), q: q === undefined ? 1 : Number(q) || 0 };
  });
  // The most specific range that matches decides (RFC 9110 §12.5.1).
  const quality = (format: RecordingFormat) => {
    const exact = ranges.filter((range) => acceptedTypes[format].includes(range.type));
    const matching = exact.length > 0 ? exact : ranges.filter((range) => range.type === "audio/*");
    const fallback = matching.length > 0 ? matching : ranges.filter((range) => range.type === "*/*");
    return Math.max(0, ...fallback.map((range) => range.q));
  };
  const wav = quality("wav");
  const mp3 = quality("mp3");
  if (wav === 0 && mp3 === 0) return null;
  return mp3 > wav ? "mp3" : "wav";
}

export type RecordingReply = { status: 404 } | { status: 200 | 206 | 416; headers: Record<string, string>; body: ReadableStream | null };

/** `bytes=a-b`, `bytes=a-`, `bytes=-n` → an inclusive range, `null` for no/ignored header, `"unsatisfiable"` otherwise. */
export function parseRange(header: string | null, size: number): { start: number; end: number } | null | "unsatisfiable" {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  // Several ranges or other units: RFC 9110 allows answering with the whole file.
  if (!match || header.includes(",")) return null;
  const [, from, to] = match;
  if (from === "" && to === "") return "unsatisfiable";
  if (from === "") {
    const suffix = Number(to);
    if (suffix === 0) return "unsatisfiable";
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(from);
  const end = to === "" ? size - 1 : Math.min(Number(to), size - 1);
  if (start >= size || end < start) return "unsatisfiable";
  return { start, end };
}

async function recordingExists(db: Db, code: string): Promise<boolean> {
  if (!isRecordingCode(code)) return false;
  const [row] = await db.select({ code: recordings.code }).from(recordings).where(eq(recordings.code, code)).limit(1);
  return row !== undefined;
}

export async function serveRecording(db: Db, recordingsDir: string, code: string, format: RecordingFormat, rangeHeader: string | null): Promise<RecordingReply> {
  if (!(await recordingExists(db, code))) return { status: 404 };
  const file = format === "mp3" ? await cachedMp3(recordingsDir, code) : recordingPath(recordingsDir, code);
  if (!file) return { status: 404 };
  const reply = serveFileWithRange(file, { contentType: contentTypes[format], fileName: `${code}.${format}` }, rangeHeader);
  // The representation depends on Accept when no ?format is given; caches must key on it.
  return reply.status === 404 ? reply : { ...reply, headers: { ...reply.headers, vary: "accept" } };
}

/** Where a recording's mp3 is cached: beside its WAV, in the data folder. */
export function mp3CachePath(recordingsDir: string, code: string): string {
  return recordingPath(recordingsDir, code).replace(/\.wav$/, ".mp3");
}

// Encodings in progress in this process, shared by every route handler bundle, so concurrent first requests encode once.
const globalForMp3 = globalThis as unknown as { switchboardMp3Encoding?: { inFlight: Map<string, Promise<string | null>>; encoded: number } };
function mp3State() {
  globalForMp3.switchboardMp3Encoding ??= { inFlight: new Map(), encoded: 0 };
  return globalForMp3.switchboardMp3Encoding;
}

/** How many recordings this process has encoded (tests prove the cache is used). */
export function mp3EncodeCount(): number {
  return mp3State().encoded;
}

/**
 * The recording's mp3 file, encoded once: later requests find it on disk;
 * concurrent first requests in this process share one encoding; another
 * process encoding at the same moment writes its own temporary file and
 * renames it into place, so a reader never sees half a file. Null when the
 * WAV is missing.
 */
export function cachedMp3(recordingsDir: string, code: string): Promise<string | null> {
  const target = mp3CachePath(recordingsDir, code);
  if (fs.existsSync(target)) return Promise.resolve(target);
  const state = mp3State();
  const running = state.inFlight.get(target);
  if (running) return running;
  const encoding = encodeToCache(recordingPath(recordingsDir, code), target).finally(() => state.inFlight.delete(target));
  state.inFlight.set(target, encoding);
  return encoding;
}

async function encodeToCache(wavFile: string, target: string): Promise<string | null> {
  let wav: Buffer;
  try {
    wav = await fs.promises.readFile(wavFile);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  const mp3 = await encodeWavToMp3(wav);
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${crypto.randomBytes(6).toString("hex")}.tmp`);
  try {
    await fs.promises.writeFile(temp, mp3, { flag: "wx" });
    await fs.promises.rename(temp, target);
  } finally {
    await fs.promises.rm(temp, { force: true });
  }
  mp3State().encoded++;
  return target;
}

/**
 * Any stored media file with Range support (recordings, audio prompts). The
 * caller has checked access and built `file` from a validated id, never from
 * user input.
 */
export function serveFileWithRange(file: string, media: { contentType: string; fileName: string }, rangeHeader: string | null): RecordingReply {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return { status: 404 };
  }
  const size = stat.size;
  const common = {
    "content-type": media.contentType,
    "accept-ranges": "bytes",
    "cache-control": "private, max-age=3600",
    "content-disposition": `inline; filename="${media.fileName}"`,
    // Stored media (recordings, their mp3, prompts) is never changed once written: size and write time identify a version.
    etag: `"${size.toString(36)}-${Math.floor(stat.mtimeMs).toString(36)}"`,
  };
  const range = parseRange(rangeHeader, size);
  if (range === "unsatisfiable") return { status: 416, headers: { ...common, "content-range": `bytes */${size}` }, body: null };
  const { start, end } = range ?? { start: 0, end: size - 1 };
  const body = Readable.toWeb(fs.createReadStream(file, { start, end })) as ReadableStream;
  const headers = { ...common, "content-length": String(end - start + 1) };
  if (!range) return { status: 200, headers, body };
  return { status: 206, headers: { ...headers, "content-range": `bytes ${start}-${end}/${size}` }, body };
}

/** The reply as a web Response (route handlers). */
export function recordingResponse(reply: RecordingReply): Response {
  if (reply.status === 404) return new Response("recording not found", { status: 404, headers: { "content-type": "text/plain" } });
  return new Response(reply.body, { status: reply.status, headers: reply.headers });
}
