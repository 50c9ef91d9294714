import crypto from "node:crypto";
import type { Clock } from "@/flows/runtime/ports";
import type { RecordingUrl } from "../pbx/cdr";
import { derivedKey } from "./secretBox";

/**
 * Signed recording links for end-of-call data: `/api/v1/recordings/{code}?token=…`
 * where the token is `<expiry s>.<HMAC(code.expiry)>`, bound to that one
 * recording in any format: the same token fetches the WAV original and its
 * mp3 (`&format=mp3`), which are the same recording. Valid 30 days by default
 * (`RECORDING_LINK_TTL_HOURS`) — longer than the longest retry window an admin
 * can configure (20 retries of at most a day each) — so a CDR delivered on its
 * last retry still carries a working link.
 */
export const RECORDING_LINK_TTL_MS = 30 * 24 * 60 * 60 * 1000;

export type RecordingTokenCheck = { ok: true } | { ok: false; reason: "invalid" } | { ok: false; reason: "expired"; expiredAtMs: number };

function mac(code: string, expiresS: number, appSecret?: string): string {
  return crypto.createHmac("sha256", derivedKey("recording-links", appSecret)).update(`${code}.${expiresS}`).digest("base64url");
}

export function recordingToken(code: string, expiresAtMs: number, appSecret?: string): string {
  const expiresS = Math.floor(expiresAtMs / 1000);
  return `${expiresS}.${mac(code, expiresS, appSecret)}`;
}

/** Genuine and unexpired; "expired" only for a token this server signed, so a forged one learns nothing. */
export function verifyRecordingToken(code: string, token: string, nowMs: number, appSecret?: string): RecordingTokenCheck {
  const match = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match) return { ok: false, reason: "invalid" };
  const expiresS = Number(match[1]);
  const expected = Buffer.from(mac(code, expiresS, appSecret));
  const given = Buffer.from(match[2]);
  if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) return { ok: false, reason: "invalid" };
  if (expiresS * 1000 <= nowMs) return { ok: false, reason: "expired", expiredAtMs: expiresS * 1000 };
  return { ok: true };
}

/** The PBX's `recordingUrl` option: every CDR recording link carries a fresh token. */
export function signedRecordingUrl(clock: Clock, ttlMs = RECORDING_LINK_TTL_MS, appSecret?: string): RecordingUrl {
  return (code) => `/api/v1/recordings/${code}?token=${recordingToken(code, clock.now() + ttlMs, appSecret)}`;
}
