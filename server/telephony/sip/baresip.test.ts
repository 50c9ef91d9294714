/**
 * A real softphone against the edge: Debian's baresip registers as extension
 * 101 with digest authentication, the edge calls it, baresip answers on its
 * own (answermode=auto), receives the edge's RTP (its log says so), talks
 * (a 2 s tone) and hangs up when its tone ends.
 * Skipped with a message when baresip or sox is missing (apt-get install baresip sox).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { systemClock } from "@/flows/runtime/clock";
import type { EngineEvent } from "../engine";
import { SipEngine } from "./sipEngine";
import { Baresip, BARESIP_SKIP_MESSAGE, missingBaresipTools } from "./testing/baresip";

const missing = missingBaresipTools();
if (missing.length > 0) console.warn(BARESIP_SKIP_MESSAGE(missing));

const PASSWORD = "baresip-101-secret";
/** Half a second of a 600 Hz tone: what the edge plays to the phone. */
const tonePrompts = { pcm: async () => Int16Array.from({ length: 4000 }, (_, i) => Math.round(12000 * Math.sin((2 * Math.PI * 600 * i) / 8000))) };
const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

let dir: string;
let engine: SipEngine;
let baresip: Baresip | null = null;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "baresip-"));
  engine = await SipEngine.start({
    clock: systemClock,
    logger,
    listen: { address: "127.0.0.1", port: 0 },
    trustedPeers: [],
    prompts: tonePrompts,
    registrar: { realm: "switchboard", nonceSecret: Buffer.from("test"), password: (extension) => (extension === "101" ? PASSWORD : null) },
  });
});

afterEach(async () => {
  await baresip?.stop();
  baresip = null;
  await engine.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

it.skipIf(missing.length > 0)("baresip registers as 101 with its password, answers the edge's call, receives the edge's RTP, and its hang-up ends the leg", { timeout: 30_000 }, async () => {
  const events: EngineEvent[] = [];
  engine.subscribe((event) => events.push(event));
  baresip = await Baresip.start({ dir, accounts: [`<sip:101@127.0.0.1:${engine.local.port}>;auth_pass=${PASSWORD};regint=600;answermode=auto;audio_codecs=PCMU,PCMA`] });

  await expect.poll(() => engine.registration("101"), { timeout: 10_000 }).not.toBeNull();
  const legId = engine.originate({ endpoint: { kind: "extension", extension: "101" }, callerId: { number: "+3612345678", name: "Test" } });
  await expect.poll(() => events.some((event) => event.type === "leg.answered" && event.legId === legId), { timeout: 10_000 }).toBe(true);
  expect(events.filter((event) => "legId" in event && event.legId === legId).map((event) => event.type)).toEqual(["leg.ringing", "leg.answered"]);
  expect(await engine.play(legId, { text: "tone", language: "en" })).toBe("completed");
  // baresip's tone ends after 2 s and it hangs up.
  await expect.poll(() => events.some((event) => event.type === "leg.hangup" && event.legId === legId), { timeout: 10_000 }).toBe(true);
  // baresip's own account of the call: established, with the edge's RTP arriving (PCMA both ways).
  expect(baresip.output).toMatch(/Call established: sip:\+3612345678@/);
  expect(baresip.output).toMatch(/incoming rtp for 'audio' established, receiving from 127\.0\.0\.1:\d+/);
  expect(baresip.output).toMatch(/audio tx pipeline:\s+aufile ---> PCMA/);
});
