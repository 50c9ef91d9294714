import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isRecordingCode, recordingPath, writeToneWav } from "./wav";

let dir: string;
beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "wav-"))));
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("writeToneWav", () => {
  it("writes a valid PCM 8 kHz mono 16-bit file whose size and sha256 match the metadata", () => {
    const file = writeToneWav(dir, 2750);
    const bytes = fs.readFileSync(file.path);
    expect(bytes.length).toBe(file.sizeBytes);
    expect(file.sizeBytes).toBe(44 + 2750 * 8 * 2);
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(file.sha256);
    expect(bytes.toString("ascii", 0, 4)).toBe("RIFF");
    expect(bytes.readUInt32LE(4)).toBe(bytes.length - 8);
    expect(bytes.toString("ascii", 8, 16)).toBe("WAVEfmt ");
    expect(bytes.readUInt16LE(20)).toBe(1); // PCM
    expect(bytes.readUInt16LE(22)).toBe(1); // mono
    expect(bytes.readUInt32LE(24)).toBe(8000);
    expect(bytes.readUInt32LE(28)).toBe(16000);
    expect(bytes.readUInt16LE(34)).toBe(16);
    expect(bytes.toString("ascii", 36, 40)).toBe("data");
    expect(bytes.readUInt32LE(40)).toBe(bytes.length - 44);
    expect(file.durationMs).toBe(2750);
  });

  it("holds a quiet tone, not silence", () => {
    const bytes = fs.readFileSync(writeToneWav(dir, 100).path);
    const samples = Array.from({ length: 800 }, (_, i) => bytes.readInt16LE(44 + i * 2));
    const peak = Math.max(...samples.map(Math.abs));
    expect(peak).toBeGreaterThan(100);
    expect(peak).toBeLessThan(4000);
  });

  it("gives every recording a distinct unguessable url-safe code and refuses path tricks", () => {
    const codes = new Set(Array.from({ length: 50 }, () => writeToneWav(dir, 10).code));
    expect(codes.size).toBe(50);
    for (const code of codes) {
      expect(isRecordingCode(code)).toBe(true);
      expect(Buffer.from(code, "base64url").length * 8).toBeGreaterThanOrEqual(128);
    }
    expect(() => recordingPath(dir, "../../etc/passwd")).toThrow();
  });

  it("an empty recording is just the header", () => {
    const file = writeToneWav(dir, 0);
    expect(file.sizeBytes).toBe(44);
    expect(fs.statSync(file.path).size).toBe(44);
  });
});
