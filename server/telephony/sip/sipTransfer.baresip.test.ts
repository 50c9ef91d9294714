/**
 * Blind transfer with real softphones: Debian's baresip registered as 101
 * and as 102, driven through `ctrl_tcp`. A trunk caller's flow dials 101;
 * 101 accepts, then transfers the caller to 102 (`transfer`, which sends
 * REFER); 102 accepts, talks and hangs up (`hangup`). The final CDR names
 * 102 as answering and 101 as transferring.
 * Skipped with a message when baresip or sox is missing (apt-get install baresip sox).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { systemClock } from "@/flows/runtime/clock";
import type { FlowRunResult } from "@/flows/runtime/context";
import { MemoryLogger } from "@/flows/runtime/testing/memoryLogger";
import type { PbxEvent } from "@/server/pbx/events";
import { tagOf } from "./address";
import { headerValue } from "./message";
import { parseRtp } from "./rtp";
import { SipEngine } from "./sipEngine";
import { Baresip, BARESIP_SKIP_MESSAGE, missingBaresipTools } from "./testing/baresip";
import { DIAL_101_FLOW, pbxOnEngine, twoExtensionsBehind } from "./testing/pbx";
import { inDialogText, inviteText, SipTestPeer, UdpPeer } from "./testing/sipTestPeer";

const missing = missingBaresipTools();
if (missing.length > 0) console.warn(BARESIP_SKIP_MESSAGE(missing));

const DID = "+3612345000";
const CALLER = "+36301234567";
const PASSWORDS: Record<string, string> = { "101": "baresip-101-secret", "102": "baresip-102-secret" };

let dir: string;
let engine: SipEngine;
const logger = new MemoryLogger();
const stops: (() => unknown)[] = [];

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "baresip-transfer-"));
  engine = await SipEngine.start({
    clock: systemClock,
    logger,
    listen: { address: "127.0.0.1", port: 0 },
    trustedPeers: ["127.0.0.1"],
    prompts: { pcm: async () => new Int16Array(800) },
    registrar: { realm: "switchboard", nonceSecret: Buffer.from("test"), password: (extension) => PASSWORDS[extension] ?? null },
  });
});

afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
  await engine.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function baresipAs(extension: string): Promise<Baresip> {
  const phoneDir = path.join(dir, extension);
  fs.mkdirSync(phoneDir);
  const phone = await Baresip.start({ dir: phoneDir, accounts: [`<sip:${extension}@127.0.0.1:${engine.local.port}>;auth_pass=${PASSWORDS[extension]};regint=600;audio_codecs=PCMA`], control: true, talkSeconds: 30 });
  stops.push(() => phone.stop());
  await expect.poll(() => engine.registration(extension), { timeout: 10_000 }).not.toBeNull();
  return phone;
}

it.skipIf(missing.length > 0)("baresip 101 accepts a trunk call and transfers it to baresip 102 (REFER); 102 accepts, talks with the caller and hangs up; the CDR shows the transfer", { timeout: 60_000 }, async () => {
  const directory = twoExtensionsBehind(DID);
  const events: PbxEvent[] = [];
  const runs: FlowRunResult[] = [];
  const pbx = pbxOnEngine({ engine, directory, logger, document: DIAL_101_FLOW, events, runs });
  stops.push(() => pbx.shutdown());
  const [phone101, phone102] = await Promise.all([baresipAs("101"), baresipAs("102")]);
  const [trunk, callerRtp] = await Promise.all([SipTestPeer.open(), UdpPeer.open()]);
  stops.push(() => trunk.close(), () => callerRtp.close());

  trunk.send(inviteText(trunk.local, engine.local, { callId: "baresip-xfer", from: CALLER, to: DID, rtpPort: callerRtp.address.port }), engine.local);
  expect((await phone101.event("CALL_INCOMING")).peeruri).toMatch(new RegExp(`^sip:\\${CALLER}@`));
  expect(await phone101.command("accept")).toMatchObject({ ok: true });
  await phone101.event("CALL_ESTABLISHED");
  await trunk.until((peer) => peer.responses("INVITE").some((response) => response.status === 200), 5000);
  const toTag = tagOf(headerValue(trunk.responses("INVITE").find((response) => response.status === 200)!, "to"))!;
  trunk.send(inDialogText("ACK", trunk.local, engine.local, { callId: "baresip-xfer", to: DID, toTag, cseq: 1, branch: "z9hG4bK-ack" }), engine.local);

  expect(await phone101.command("transfer", `sip:102@127.0.0.1:${engine.local.port}`)).toMatchObject({ ok: true });
  // baresip read the edge's NOTIFY (200 sipfrag) as a completed transfer ("Call transfered" is baresip's spelling).
  expect((await phone101.event("CALL_CLOSED")).param).toBe("Call transfered");
  expect(phone101.output).toContain(`transferring call to sip:102@127.0.0.1:${engine.local.port}`);
  expect((await phone102.event("CALL_INCOMING")).peeruri).toMatch(new RegExp(`^sip:\\${CALLER}@`));
  expect(await phone102.command("accept")).toMatchObject({ ok: true });
  await phone102.event("CALL_ESTABLISHED");
  // Bridged: 102's tone reaches the caller.
  const heardBefore = callerRtp.received.length;
  await expect.poll(() => callerRtp.received.slice(heardBefore).filter(({ datagram }) => parseRtp(datagram)?.payloadType === 8).length, { timeout: 5000 }).toBeGreaterThan(20);
  expect(await phone102.command("hangup")).toMatchObject({ ok: true });
  await phone102.event("CALL_CLOSED");
  await trunk.until((peer) => peer.requests("BYE").length > 0, 5000);

  await expect.poll(() => events.filter((event) => event.type === "conversation.ended")).toHaveLength(1);
  const final = events.flatMap((event) => (event.type === "conversation.ended" ? [event.cdr] : []))[0];
  expect(final).toMatchObject({ caller: { number: CALLER }, called_number: DID, transferred_by: { extension: "101" }, answered_by: { extension: "102" }, disposition: "answered" });
  expect(final.legs).toMatchObject([{ leg_end_reason: "transferred_blind", answered_by: { extension: "101" } }]);
  expect(logger.entries).toContainEqual(expect.objectContaining({ message: "SIP edge: transfer by REFER", fields: expect.objectContaining({ to: "102", status: 200 }) }));
});
