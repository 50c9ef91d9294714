/**
 * Blind transfer by SIP REFER through the real call control: a trunk caller's
 * flow dials 101's registered phone, the phone REFERs the call to 102, and the
 * caller ends up talking to 102's phone, with the transfer in the CDRs.
 * Everything over loopback UDP: a TypeScript trunk, two TypeScript phones.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { systemClock } from "@/flows/runtime/clock";
import type { FlowRunResult } from "@/flows/runtime/context";
import { MemoryLogger } from "@/flows/runtime/testing/memoryLogger";
import type { PbxEvent } from "@/server/pbx/events";
import { tagOf } from "./address";
import { decodeG711, encodeG711 } from "./g711";
import { headerValue, type SipRequest } from "./message";
import { PromptAudio } from "./prompts";
import { buildRtp, parseRtp } from "./rtp";
import { SipEngine } from "./sipEngine";
import { DIAL_101_FLOW, pbxOnEngine, twoExtensionsBehind } from "./testing/pbx";
import { inDialogText, inviteText, SipTestPeer, UdpPeer } from "./testing/sipTestPeer";
import { TestPhone } from "./testing/testPhone";

const DID = "+3612345000";
const CALLER = "+36301234567";
const PASSWORDS: Record<string, string> = { "101": "phone-101-secret", "102": "phone-102-secret" };
const TONE = Int16Array.from({ length: 160 }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 500 * i) / 8000)));

let dir: string;
let engine: SipEngine;
const logger = new MemoryLogger();
const cleanups: (() => unknown)[] = [];

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "sip-transfer-"));
  engine = await SipEngine.start({
    clock: systemClock,
    logger,
    listen: { address: "127.0.0.1", port: 0 },
    trustedPeers: ["127.0.0.1"],
    prompts: new PromptAudio({ cacheDir: path.join(dir, "prompts"), recordingFile: () => undefined, logger }),
    registrar: { realm: "switchboard", nonceSecret: Buffer.from("test"), password: (extension) => PASSWORDS[extension] ?? null },
  });
});

afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
  await engine.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A trunk call whose flow dialled 101: 101's phone answered (PCMU) and the trunk ACKed; 102's phone is registered. */
async function callAnsweredBy101(callId: string) {
  const directory = twoExtensionsBehind(DID);
  const events: PbxEvent[] = [];
  const runs: FlowRunResult[] = [];
  const pbx = pbxOnEngine({ engine, directory, logger, document: DIAL_101_FLOW, events, runs });
  const [phone101, phone102, trunk, callerRtp] = await Promise.all([TestPhone.open("101", engine.local), TestPhone.open("102", engine.local), SipTestPeer.open(), UdpPeer.open()]);
  cleanups.push(() => pbx.shutdown(), () => phone101.close(), () => phone102.close(), () => trunk.close(), () => callerRtp.close());
  expect(await phone101.register(PASSWORDS["101"])).toBe(200);
  expect(await phone102.register(PASSWORDS["102"])).toBe(200);

  trunk.send(inviteText(trunk.local, engine.local, { callId, from: CALLER, to: DID, rtpPort: callerRtp.address.port }), engine.local);
  const invite = await phone101.incomingInvite();
  const tag101 = phone101.reply(invite, 200, "OK", { sdp: true, sdpPayloads: "0 101" });
  await trunk.until((peer) => peer.responses("INVITE").some((response) => response.status === 200));
  const ok = trunk.responses("INVITE").find((response) => response.status === 200)!;
  const trunkTag = tagOf(headerValue(ok, "to"))!;
  trunk.send(inDialogText("ACK", trunk.local, engine.local, { callId, to: DID, toTag: trunkTag, cseq: 1, branch: "z9hG4bK-ack" }), engine.local);
  await expect.poll(() => events.filter((event) => event.type === "call.answered")).toHaveLength(1);
  const trunkSideRtp = Number(/m=audio (\d+)/.exec(ok.body.toString())![1]);
  return { events, runs, phone101, phone102, trunk, trunkTag, callerRtp, trunkSideRtp, invite, tag101 };
}

function referResponses(phone: TestPhone, seq: number) {
  return phone.sip.responses("REFER").filter((response) => headerValue(response, "cseq") === `${seq} REFER`);
}

function notifies(phone: TestPhone): SipRequest[] {
  return phone.sip.requests("NOTIFY");
}

function loudPackets(peer: UdpPeer, payloadType: 0 | 8): number {
  const codec = payloadType === 0 ? "PCMU" : "PCMA";
  return peer.received.filter(({ datagram }) => {
    const packet = parseRtp(datagram);
    return packet?.payloadType === payloadType && decodeG711(codec, packet.payload).some((sample) => Math.abs(sample) > 4000);
  }).length;
}

describe("blind transfer by REFER", () => {
  it("101's phone REFERs the caller to 102: 202, NOTIFY 200 sipfrag, our BYE to 101; 102 rings, answers and talks with the caller; the CDRs show the transfer", { timeout: 20_000 }, async () => {
    const call = await callAnsweredBy101("xfer");
    const { phone101, phone102, events } = call;
    const seq = phone101.refer(call.invite, call.tag101, `<sip:102@127.0.0.1:${engine.local.port}>`);

    await phone101.sip.until((peer) => peer.requests("NOTIFY").length > 0 && referResponses(phone101, seq).length > 0);
    expect(referResponses(phone101, seq).map((response) => response.status)).toEqual([202]);
    const [notify] = notifies(phone101);
    expect(headerValue(notify, "call-id")).toBe(headerValue(call.invite, "call-id"));
    expect(headerValue(notify, "event")).toBe(`refer;id=${seq}`);
    expect(headerValue(notify, "subscription-state")).toBe("terminated;reason=noresource");
    expect(headerValue(notify, "content-type")).toBe("message/sipfrag;version=2.0");
    expect(notify.body.toString()).toBe("SIP/2.0 200 OK\r\n");
    phone101.reply(notify, 200, "OK");
    // Call control hung the transferring leg up; the BYE comes after the NOTIFY.
    await phone101.sip.until((peer) => peer.requests("BYE").length > 0);
    const bye = phone101.sip.requests("BYE")[0];
    expect(Number(headerValue(bye, "cseq")!.split(" ")[0])).toBeGreaterThan(Number(headerValue(notify, "cseq")!.split(" ")[0]));
    phone101.reply(bye, 200, "OK");
    // A retransmission of the REFER (as if our 202 had been lost) gets 202 again, and no second transfer.
    phone101.refer(call.invite, call.tag101, `<sip:102@127.0.0.1:${engine.local.port}>`, seq);
    await phone101.sip.until(() => referResponses(phone101, seq).length > 1);
    expect(referResponses(phone101, seq).map((response) => response.status)).toEqual([202, 202]);
    expect(notifies(phone101)).toHaveLength(1);
    // The phone's own BYE crossing ours is answered 200 too.
    phone101.bye(call.invite, call.tag101);
    await phone101.sip.until((peer) => peer.responses("BYE").some((response) => response.status === 200));

    const invite102 = await phone102.incomingInvite();
    expect(headerValue(invite102, "from")).toContain(CALLER);
    const tag102 = phone102.reply(invite102, 200, "OK", { sdp: true, sdpPayloads: "8 101" });
    await phone102.sip.until((peer) => peer.requests("ACK").length > 0);
    // Bridged: the caller's voice reaches 102, and 102's reaches the caller.
    const phone102Rtp = Number(/m=audio (\d+)/.exec(invite102.body.toString())![1]);
    await expect.poll(() => events.filter((event) => event.type === "call.answered")).toHaveLength(2);
    for (let i = 0; i < 5; i++) call.callerRtp.send(buildRtp({ payloadType: 8, marker: i === 0, sequence: 10 + i, timestamp: 160 * i, ssrc: 0x1234, payload: encodeG711("PCMA", TONE) }), call.trunkSideRtp);
    await expect.poll(() => loudPackets(phone102.rtp, 8)).toBeGreaterThan(0);
    const heardByCaller = loudPackets(call.callerRtp, 8);
    phone102.rtp.send(buildRtp({ payloadType: 8, marker: true, sequence: 1, timestamp: 0, ssrc: 0x5678, payload: encodeG711("PCMA", TONE) }), phone102Rtp);
    await expect.poll(() => loudPackets(call.callerRtp, 8)).toBeGreaterThan(heardByCaller);

    phone102.bye(invite102, tag102);
    await call.trunk.until((peer) => peer.requests("BYE").length > 0);
    await expect.poll(() => events.filter((event) => event.type === "conversation.ended")).toHaveLength(1);
    const partials = events.flatMap((event) => (event.type === "leg.closed" ? [event.cdr] : []));
    expect(partials).toMatchObject([{ leg_end_reason: "transferred_blind", answered_by: { extension: "101" } }]);
    const final = events.flatMap((event) => (event.type === "conversation.ended" ? [event.cdr] : []))[0];
    expect(final).toMatchObject({
      caller: { number: CALLER },
      called_number: DID,
      requested: { extension: "102" },
      transferred_by: { extension: "101", user_id: "user-101" },
      answered_by: { extension: "102" },
      disposition: "answered",
    });
    expect(events.filter((event) => event.type === "call.transferred")).toMatchObject([{ data: { mode: "blind", to: "102", transferred_by: { extension: "101" } } }]);
  });

  it("refuses what it cannot do, and the call goes on: no Refer-To 400, a number call control refuses NOTIFY 603, Replaces NOTIFY 501, a trunk caller's REFER 403, REFER outside a call 403", { timeout: 20_000 }, async () => {
    const call = await callAnsweredBy101("refused");
    const { phone101, phone102, trunk, events } = call;

    const noTarget = phone101.refer(call.invite, call.tag101, null);
    await phone101.sip.until(() => referResponses(phone101, noTarget).length > 0);
    expect(referResponses(phone101, noTarget)[0].status).toBe(400);

    phone101.refer(call.invite, call.tag101, `<sip:555@127.0.0.1>`);
    await phone101.sip.until((peer) => peer.requests("NOTIFY").length > 0);
    expect(notifies(phone101)[0].body.toString()).toBe("SIP/2.0 603 Declined\r\n");
    phone101.reply(notifies(phone101)[0], 200, "OK");

    phone101.refer(call.invite, call.tag101, `<sip:102@127.0.0.1?Replaces=abc%40host%3Bto-tag%3D1%3Bfrom-tag%3D2>`);
    await phone101.sip.until((peer) => peer.requests("NOTIFY").length > 1);
    expect(notifies(phone101)[1].body.toString()).toBe("SIP/2.0 501 Not Implemented\r\n");
    phone101.reply(notifies(phone101)[1], 200, "OK");

    trunk.send(inDialogText("REFER", trunk.local, engine.local, { callId: "refused", to: DID, toTag: call.trunkTag, cseq: 2, branch: "z9hG4bK-trunk-refer", extraHeaders: ["Refer-To: <sip:+3690000000@127.0.0.1>"] }), engine.local);
    await trunk.until((peer) => peer.responses("REFER").length > 0);
    expect(trunk.responses("REFER")[0].status).toBe(403);
    trunk.send(inDialogText("REFER", trunk.local, engine.local, { callId: "no-such-call", to: DID, toTag: null, cseq: 1, branch: "z9hG4bK-lone-refer", extraHeaders: ["Refer-To: <sip:102@127.0.0.1>"] }), engine.local);
    await trunk.until((peer) => peer.responses("REFER").length > 1);
    expect(trunk.responses("REFER")[1].status).toBe(403);

    // Nothing was transferred: 101 still talks with the caller, 102 never rang.
    expect(phone101.sip.requests("BYE")).toHaveLength(0);
    expect(phone102.sip.requests("INVITE")).toHaveLength(0);
    expect(events.filter((event) => event.type === "call.transferred")).toHaveLength(0);
    const heardBy101 = loudPackets(phone101.rtp, 0);
    call.callerRtp.send(buildRtp({ payloadType: 8, marker: true, sequence: 1, timestamp: 0, ssrc: 0x1234, payload: encodeG711("PCMA", TONE) }), call.trunkSideRtp);
    await expect.poll(() => loudPackets(phone101.rtp, 0)).toBeGreaterThan(heardBy101);

    phone101.bye(call.invite, call.tag101);
    await trunk.until((peer) => peer.requests("BYE").length > 0);
    await expect.poll(() => events.filter((event) => event.type === "conversation.ended")).toHaveLength(1);
    expect(events.find((event) => event.type === "conversation.ended")).toMatchObject({ cdr: { answered_by: { extension: "101" }, transferred_by: null } });
    expect(logger.entries.some((entry) => entry.message === "SIP edge: REFER outside a call refused")).toBe(true);
  });
});
