/**
 * A real softphone against the edge: Debian's baresip registers as extension
 * 101 with digest authentication, the edge calls it, baresip answers on its
 * own (answermode=auto), receives the edge's RTP (its log says so), talks
 * (a 2 s tone) and hangs up when its tone ends.
 * Skipped with a message when baresip or sox is missing (apt-get install baresip sox).
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { systemClock } from "@/flows/runtime/clock";
import type { EngineEvent } from "../engine";
import { SipEngine } from "./sipEngine";

const missing = ["baresip", "sox"].filter((tool) => {
  try {
    execFileSync("which", [tool], { stdio: "ignore" });
    return false;
  } catch {
    return true;
  }
});
if (missing.length > 0) console.warn(`SKIPPED: the baresip test needs ${missing.join(", ")} (apt-get install baresip sox)`);

const PASSWORD = "baresip-101-secret";
/** Half a second of a 600 Hz tone: what the edge plays to the phone. */
const tonePrompts = { pcm: async () => Int16Array.from({ length: 4000 }, (_, i) => Math.round(12000 * Math.sin((2 * Math.PI * 600 * i) / 8000))) };
const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

let dir: string;
let engine: SipEngine;
let baresip: ChildProcess | null = null;

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
  baresip?.kill();
  baresip = null;
  await engine.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

it.skipIf(missing.length > 0)("baresip registers as 101 with its password, answers the edge's call, receives the edge's RTP, and its hang-up ends the leg", { timeout: 30_000 }, async () => {
  execFileSync("sox", ["-n", "-r", "8000", "-c", "1", "-b", "16", path.join(dir, "talk.wav"), "synth", "2", "sine", "440"]);
  fs.writeFileSync(
    path.join(dir, "config"),
    [
      "poll_method epoll",
      "sip_listen 127.0.0.1:0",
      "sip_transports udp",
      "audio_player aufile,/dev/null",
      `audio_source aufile,${path.join(dir, "talk.wav")}`,
      "audio_alert aufile,/dev/null",
      "module_path /usr/lib/baresip/modules",
      "module g711.so",
      "module aufile.so",
      "module_app account.so",
      "module_app menu.so",
    ].join("\n"),
  );
  fs.writeFileSync(path.join(dir, "accounts"), `<sip:101@127.0.0.1:${engine.local.port}>;auth_pass=${PASSWORD};regint=600;answermode=auto;audio_codecs=PCMU,PCMA\n`);
  const events: EngineEvent[] = [];
  engine.subscribe((event) => events.push(event));
  baresip = spawn("baresip", ["-f", dir], { stdio: ["pipe", "pipe", "ignore"] });
  let output = "";
  baresip.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));

  await expect.poll(() => engine.registration("101"), { timeout: 10_000 }).not.toBeNull();
  const legId = engine.originate({ endpoint: { kind: "extension", extension: "101" }, callerId: { number: "+3612345678", name: "Test" } });
  await expect.poll(() => events.some((event) => event.type === "leg.answered" && event.legId === legId), { timeout: 10_000 }).toBe(true);
  expect(events.filter((event) => "legId" in event && event.legId === legId).map((event) => event.type)).toEqual(["leg.ringing", "leg.answered"]);
  expect(await engine.play(legId, { text: "tone", language: "en" })).toBe("completed");
  // baresip's tone ends after 2 s and it hangs up.
  await expect.poll(() => events.some((event) => event.type === "leg.hangup" && event.legId === legId), { timeout: 10_000 }).toBe(true);
  // baresip's own account of the call: established, with the edge's RTP arriving (PCMA both ways).
  expect(output).toMatch(/Call established: sip:\+3612345678@/);
  expect(output).toMatch(/incoming rtp for 'audio' established, receiving from 127\.0\.0\.1:\d+/);
  expect(output).toMatch(/audio tx pipeline:\s+aufile ---> PCMA/);
});
