import fs from "node:fs";
import { Readable } from "node:stream";
import type { Db } from "../db/client";
import { isRecordingCode, recordingPath } from "../telephony/simulated/wav";

/**
 * Serves a recording's WAV file with HTTP Range support (one range; 206 with
 * Content-Range, 416 when unsatisfiable). Used by the public
 * `GET /api/v1/recordings/{code}` and by the portal's call-history player;
 * each caller does its own authentication first.
 */
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

export function recordingExists(db: Db, code: string): boolean {
  if (!isRecordingCode(code)) return false;
  return db.$client.prepare(`select 1 from recordings where code = ?`).get(code) !== undefined;
}

export function serveRecording(db: Db, recordingsDir: string, code: string, rangeHeader: string | null): RecordingReply {
  if (!recordingExists(db, code)) return { status: 404 };
  return serveFileWithRange(recordingPath(recordingsDir, code), { contentType: "audio/wav", fileName: `${code}.wav` }, rangeHeader);
}

/**
 * Any stored media file with Range support (recordings, audio prompts). The
 * caller has checked access and built `file` from a validated id, never from
 * user input.
 */
export function serveFileWithRange(file: string, media: { contentType: string; fileName: string }, rangeHeader: string | null): RecordingReply {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    return { status: 404 };
  }
  const common = { "content-type": media.contentType, "accept-ranges": "bytes", "cache-control": "private, max-age=3600", "content-disposition": `inline; filename="${media.fileName}"` };
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
