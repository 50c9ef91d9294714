/**
 * A real trunk call into the SIP edge, placed by sipp (Debian's sip-tester)
 * with its scenario testing/inbound-menu.xml: INVITE, the caller's voice from
 * sipp's g711a.pcap, the digit 1 from dtmf_2833_1.pcap, BYE. The edge
 * answers and speaks a prompt rendered by espeak-ng; a UDP socket in the test
 * stands in for the caller's RTP port, so the test hears what the caller
 * would: it must decode to speech.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { systemClock } from "@/flows/runtime/clock";
import type { EngineEvent, PlaybackOutcome } from "../engine";
import { decodeG711 } from "./g711";
import { PromptAudio } from "./prompts";
import { parseRtp } from "./rtp";
import { SipEngine } from "./sipEngine";
import { missingSippTools, runSipp, SIPP_SKIP_MESSAGE } from "./testing/sipp";
import { UdpPeer } from "./testing/sipTestPeer";
import { speechProfile } from "./testing/speech";

const missing = missingSippTools();
if (missing.length > 0) console.warn(SIPP_SKIP_MESSAGE(missing));

const PROMPT = { text: "Welcome to Switchboard. For sales, press 1. For support, press 2.", language: "en" };

let dir: string;
let prompts: PromptAudio;
let engine: SipEngine;
let callerRtp: UdpPeer;
const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "sip-sipp-"));
  prompts = new PromptAudio({ cacheDir: path.join(dir, "prompts"), recordingFile: () => undefined, logger });
  engine = await SipEngine.start({
    clock: systemClock,
    logger,
    listen: { address: "127.0.0.1", port: 0 },
    trustedPeers: ["127.0.0.1"],
    prompts,
  });
  callerRtp = await UdpPeer.open();
});

afterEach(async () => {
  await Promise.all([engine.close(), callerRtp.close()]);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(missing.length > 0)("a call from sipp as the trunk", () => {
  it("arrives as leg.incoming, hears the spoken prompt, presses 1 (RFC 4733) and hangs up with BYE", { timeout: 30_000 }, async () => {
    const events: EngineEvent[] = [];
    let playback: Promise<PlaybackOutcome> | null = null;
    engine.subscribe((event) => {
      events.push(event);
      if (event.type !== "leg.incoming") return;
      engine.answer(event.legId);
      playback = engine.play(event.legId, PROMPT);
    });
    // Rendered ahead (first renders are prompts.test.ts's business), so a loaded CI machine cannot delay the prompt past the call.
    await prompts.pcm(PROMPT);

    const sipp = await runSipp({ edgePort: engine.local.port, service: "3612345000", keys: { caller: "+3612345678", rtp_port: String(callerRtp.address.port) }, cwd: dir });

    expect(sipp.code, sipp.stderr).toBe(0);
    const legId = events[0]?.type === "leg.incoming" ? events[0].legId : "none";
    expect(events).toEqual([
      { type: "leg.incoming", legId, from: "+3612345678", to: "3612345000", viaTrunk: true },
      { type: "dtmf", legId, digit: "1" },
      { type: "leg.hangup", legId, cause: "normal_clearing" },
    ]);
    // The caller hung up during the prompt.
    expect(await playback).toBe("stopped");

    const packets = callerRtp.received.map(({ datagram }) => parseRtp(datagram)).filter((packet) => packet !== null);
    expect(packets.length).toBeGreaterThan(100);
    expect(new Set(packets.map((packet) => packet.payloadType))).toEqual(new Set([8]));
    const heard = decodeG711("PCMA", Buffer.concat(packets.map((packet) => packet.payload)));
    const profile = speechProfile(heard);
    expect(profile.loudFrames).toBeGreaterThan(50);
    expect(profile.levelSpread).toBeGreaterThan(0.2);
  });
});
