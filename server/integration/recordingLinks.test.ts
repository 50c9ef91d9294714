import { describe, expect, it } from "vitest";
import { ManualClock } from "@/flows/runtime/testing/manualClock";
import { RECORDING_LINK_TTL_MS, signedRecordingUrl, verifyRecordingToken } from "./recordingLinks";

const SECRET = "test-app-secret";
const CODE = "AAAAAAAAAAAAAAAAAAAAAAAA";
const tokenOf = (url: string) => new URL(url, "http://switchboard.local").searchParams.get("token") ?? "";

describe("signed recording links", () => {
  it("expire after the configured time and say so, only for a token this server signed", () => {
    const clock = new ManualClock("2026-11-24T09:00:00.000Z");
    const token = tokenOf(signedRecordingUrl(clock, 3_600_000, SECRET)(CODE));
    expect(verifyRecordingToken(CODE, token, clock.now() + 3_599_000, SECRET)).toEqual({ ok: true });
    expect(verifyRecordingToken(CODE, token, clock.now() + 3_600_000, SECRET)).toEqual({ ok: false, reason: "expired", expiredAtMs: Date.parse("2026-11-24T10:00:00.000Z") });
    // Moving the expiry breaks the signature: a forged token is "invalid", never "expired".
    const [expiry, mac] = token.split(".");
    expect(verifyRecordingToken(CODE, `${Number(expiry) + 3600}.${mac}`, clock.now(), SECRET)).toEqual({ ok: false, reason: "invalid" });
    expect(verifyRecordingToken("BBBBBBBBBBBBBBBBBBBBBBBB", token, clock.now(), SECRET)).toEqual({ ok: false, reason: "invalid" });
    expect(verifyRecordingToken(CODE, token, clock.now(), "another-secret")).toEqual({ ok: false, reason: "invalid" });
  });

  it("last 30 days by default", () => {
    const clock = new ManualClock("2026-11-24T09:00:00.000Z");
    const token = tokenOf(signedRecordingUrl(clock, undefined, SECRET)(CODE));
    expect(verifyRecordingToken(CODE, token, clock.now() + RECORDING_LINK_TTL_MS - 1_000, SECRET).ok).toBe(true);
    expect(verifyRecordingToken(CODE, token, clock.now() + RECORDING_LINK_TTL_MS, SECRET)).toMatchObject({ ok: false, reason: "expired" });
  });
});
