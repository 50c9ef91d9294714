/**
 * The whole path of a real call: sipp (the trunk) → SipEngine → call
 * control (Pbx) → the flow interpreter → a registered phone → the final CDR.
 * The same classes the simulated engine drives, with nothing simulated
 * between the caller's key press and the flow's menu branch, or between the
 * caller's voice and the phone's ear; what the caller hears is decoded by
 * sox and shown to be speech. (The TypeScript trunk tests show what
 * sipp cannot easily: audio both ways, CANCEL, busy, a spoofed extension number.)
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { systemClock } from "@/flows/runtime/clock";
import type { FlowRunResult } from "@/flows/runtime/context";
import { MemoryLogger } from "@/flows/runtime/testing/memoryLogger";
import { sketchFlow } from "@/flows/runtime/testing/testRuntime";
import { InMemoryDirectory } from "@/server/pbx/directory";
import type { PbxEvent } from "@/server/pbx/events";
import { Pbx } from "@/server/pbx/pbx";
import { PromptAudio } from "./prompts";
import { SipEngine } from "./sipEngine";
import { INBOUND_TO_PHONE_SCENARIO, missingSippTools, runSipp, SIPP_SKIP_MESSAGE } from "./testing/sipp";
import { tagOf } from "./address";
import { decodeG711, encodeG711 } from "./g711";
import { headerValue } from "./message";
import { buildRtp, buildTelephoneEvent, parseRtp, type RtpPacket } from "./rtp";
import { inDialogText, inviteText, SipTestPeer, UdpPeer } from "./testing/sipTestPeer";
import { soxSpeechStats } from "./testing/speech";
import { TestPhone } from "./testing/testPhone";
import { DIAL_101_FLOW, pbxOnEngine } from "./testing/pbx";

const missing = missingSippTools();
if (missing.length > 0) console.warn(SIPP_SKIP_MESSAGE(missing));

const DID = "+3612345000";
const PHONE_PASSWORD = "phone-101-secret";
const MENU_PROMPT = "Welcome to Switchboard. For sales, press 1.";
const SALES_PROMPT = "Thank you. All our sales people are on the phone. Please stay on the line, we will be with you shortly.";
const flow = sketchFlow(
  [
    { id: "start", type: "start" },
    { id: "menu", type: "menu", config: { prompt: MENU_PROMPT, options: ["1"], timeout_s: 5, max_retries: 0, invalid_prompt: "Sorry." } },
    { id: "sales", type: "play", config: { text: SALES_PROMPT } },
    { id: "bye", type: "hangup" },
  ],
  ["start:next -> menu", "menu:1 -> sales", "menu:timeout -> bye", "menu:invalid -> bye", "sales:next -> bye"],
);


let dir: string;
let engine: SipEngine;
let callerRtp: UdpPeer;
let prompts: PromptAudio;
const logger = new MemoryLogger();

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "sip-pbx-"));
  prompts = new PromptAudio({ cacheDir: path.join(dir, "prompts"), recordingFile: () => undefined, logger });
  engine = await SipEngine.start({
    clock: systemClock,
    logger,
    listen: { address: "127.0.0.1", port: 0 },
    trustedPeers: ["127.0.0.1"],
    prompts,
    registrar: { realm: "switchboard", nonceSecret: Buffer.from("test"), password: (extension) => (extension === "101" ? PHONE_PASSWORD : null) },
  });
  callerRtp = await UdpPeer.open();
});

afterEach(async () => {
  await Promise.all([engine.close(), callerRtp.close()]);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(missing.length > 0)("a real call through call control and a flow", () => {
  it("the caller presses 1 in the menu, hears the sales prompt, hangs up: one final CDR for the DID's flow", { timeout: 30_000 }, async () => {
    const directory = new InMemoryDirectory();
    directory.addNumber(DID, "main");
    const events: PbxEvent[] = [];
    const runs: FlowRunResult[] = [];
    const pbx = pbxOver(directory, events, runs);
    // Rendered ahead, so a loaded CI machine cannot push the prompts past the call (prompts.test.ts covers first renders).
    await Promise.all([MENU_PROMPT, SALES_PROMPT].map((text) => prompts.pcm({ text, language: flow.language ?? "en" })));

    const sipp = await runSipp({ edgePort: engine.local.port, service: DID, keys: { caller: "+36301234567", rtp_port: String(callerRtp.address.port) }, cwd: dir });
    await expect.poll(() => runs.length).toBe(1);
    pbx.shutdown();

    expect(sipp.code, sipp.stderr).toBe(0);
    expect(runs[0].trace.map((step) => (step.branch ? `${step.node_id}:${step.branch}` : step.node_id))).toEqual(["start:next", "menu:1", "sales"]);
    expect(runs[0].outcome).toBe("hangup");
    const finals = events.flatMap((event) => (event.type === "conversation.ended" ? [event.cdr] : []));
    expect(finals).toHaveLength(1);
    expect(finals[0]).toMatchObject({ flow_id: "main", direction: "inbound", caller: { number: "+36301234567" }, called_number: DID, hangup_cause: "caller_hangup" });
    expect(finals[0].answered_at).not.toBeNull();
    expect(callerRtp.received.length).toBeGreaterThan(100);
    // What the caller heard, decoded by sox: about as long as the call was up, and a second or more of it loud speech (the menu until the key, then the sales prompt).
    const heard = Buffer.concat(rtpPackets(callerRtp).filter((packet) => packet.payloadType === 8).map((packet) => packet.payload));
    const sox = soxSpeechStats(heard, dir);
    expect(sox.seconds).toBeGreaterThan(2);
    expect(sox.voicedSeconds).toBeGreaterThan(1);
    expect(sox.voicedSeconds).toBeLessThan(sox.seconds);
    expect(sox.voicedRms).toBeGreaterThan(0.03);
  });
});

describe.skipIf(missing.length > 0)("a real call from sipp to a registered phone", () => {
  it("sipp's call reaches 101's phone through dial_extension; the caller's voice (g711a.pcap) arrives transcoded; the phone's hang-up ends sipp's call; the CDR names 101", { timeout: 30_000 }, async () => {
    const { events, runs, phone } = await registeredPhoneBehindDialFlow();
    try {
      const sipp = runSipp({ edgePort: engine.local.port, service: DID, scenario: INBOUND_TO_PHONE_SCENARIO, keys: { caller: "+36301234567", rtp_port: String(callerRtp.address.port) }, cwd: dir });
      const invite = await phone.incomingInvite(10_000);
      const phoneTag = phone.reply(invite, 180, "Ringing");
      phone.reply(invite, 200, "OK", { sdp: true, sdpPayloads: "0 101" });
      // sipp's recorded voice, relayed and transcoded to µ-law by the edge, is loud speech at the phone.
      await expect.poll(() => rtpPackets(phone.rtp).filter((packet) => packet.payloadType === 0 && level(decodeG711("PCMU", packet.payload)) > 2000).length, { timeout: 10_000 }).toBeGreaterThan(10);
      phone.bye(invite, phoneTag);
      const result = await sipp;
      expect(result.code, result.stderr).toBe(0);
      await expect.poll(() => runs.length).toBe(1);
      const finals = events.flatMap((event) => (event.type === "conversation.ended" ? [event.cdr] : []));
      expect(finals).toHaveLength(1);
      expect(finals[0]).toMatchObject({ caller: { number: "+36301234567" }, called_number: DID, answered_by: { extension: "101" } });
    } finally {
      await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
    }
  });
});

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

/** A DID whose flow dials 101, and extension 101's phone registered with its password. */
async function registeredPhoneBehindDialFlow() {
  const directory = new InMemoryDirectory();
  directory.addExtension({ number: "101", userId: "user-101", userName: "User 101" });
  directory.addNumber(DID, "main");
  const events: PbxEvent[] = [];
  const runs: FlowRunResult[] = [];
  const pbx = pbxOver(directory, events, runs, DIAL_101_FLOW);
  const phone = await TestPhone.open("101", engine.local);
  cleanups.push(() => pbx.shutdown(), () => phone.close());
  expect(await phone.register(PHONE_PASSWORD)).toBe(200);
  return { events, runs, phone };
}

function pbxOver(directory: InMemoryDirectory, events: PbxEvent[], runs: FlowRunResult[], document = flow): Pbx {
  return pbxOnEngine({ engine, directory, logger, document, events, runs });
}

describe("over a TypeScript trunk", () => {

  /** A trunk call on its way to 101's registered phone, which rings (and answers PCMU unless told not to). */
  async function callToRegisteredPhone(callId: string, options: { phoneAnswers?: boolean } = {}) {
    const { events, runs, phone } = await registeredPhoneBehindDialFlow();
    const trunk = await SipTestPeer.open();
    cleanups.push(() => trunk.close());
    trunk.send(inviteText(trunk.local, engine.local, { callId, to: DID, rtpPort: callerRtp.address.port }), engine.local);
    const invite = await phone.incomingInvite();
    const phoneTag = phone.reply(invite, 180, "Ringing");
    if (options.phoneAnswers !== false) phone.reply(invite, 200, "OK", { sdp: true, sdpPayloads: "0 101" });
    return { events, runs, phone, trunk, invite, phoneTag };
  }

  it("dials extension 101's registered phone: it rings, answers, the audio flows both ways (PCMA ↔ PCMU) and not from an intruder, its hang-up ends both legs; the CDR names 101", async () => {
    const { events, runs, phone, trunk, invite, phoneTag } = await callToRegisteredPhone("bridged");
    expect(invite.uri).toBe(`sip:101@127.0.0.1:${phone.sip.local.port}`);
    expect(invite.body.toString()).toMatch(/m=audio \d+ RTP\/AVP 8 0 101/);
    await phone.sip.until((peer) => peer.requests("ACK").length > 0);
    await trunk.until((peer) => peer.responses("INVITE").some((response) => response.status === 200));
    const ok = trunk.responses("INVITE").find((response) => response.status === 200)!;
    trunk.send(inDialogText("ACK", trunk.local, engine.local, { callId: "bridged", to: DID, toTag: tagOf(headerValue(ok, "to"))!, cseq: 1, branch: "z9hG4bK-ack" }), engine.local);
    expect(events.filter((event) => event.type === "call.answered")).toHaveLength(1);

    // The caller speaks A-law; the phone (which answered PCMU) hears the same sound in µ-law, in the edge's own stream.
    const tone = Int16Array.from({ length: 160 }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 500 * i) / 8000)));
    const trunkSideRtp = Number(/m=audio (\d+)/.exec(ok.body.toString())![1]);
    const phoneSideRtp = Number(/m=audio (\d+)/.exec(invite.body.toString())![1]);
    const callerSsrc = 0x1234;
    for (let i = 0; i < 5; i++) callerRtp.send(buildRtp({ payloadType: 8, marker: i === 0, sequence: 100 + i, timestamp: 160 * i, ssrc: callerSsrc, payload: encodeG711("PCMA", tone) }), trunkSideRtp);
    await expect.poll(() => rtpPackets(phone.rtp).filter((packet) => packet.payloadType === 0 && level(decodeG711("PCMU", packet.payload)) > 4000).length).toBeGreaterThan(0);
    const heard = rtpPackets(phone.rtp).find((packet) => level(decodeG711("PCMU", packet.payload)) > 4000)!;
    expect(heard.ssrc).not.toBe(callerSsrc);
    expect(Math.max(...decodeG711("PCMU", heard.payload).map((sample, i) => Math.abs(sample - tone[i])))).toBeLessThan(600);
    // And back: the phone speaks µ-law, the caller hears A-law.
    phone.rtp.send(buildRtp({ payloadType: 0, marker: true, sequence: 1, timestamp: 0, ssrc: 0x9999, payload: encodeG711("PCMU", tone) }), phoneSideRtp);
    await expect.poll(() => rtpPackets(callerRtp).filter((packet) => packet.payloadType === 8 && level(decodeG711("PCMA", packet.payload)) > 4000).length).toBeGreaterThan(0);
    // Audio from an address other than the caller's SDP address is not relayed; the caller's next packet is (the control).
    const intruder = await UdpPeer.open("127.0.0.2");
    cleanups.push(() => intruder.close());
    const heardBefore = rtpPackets(phone.rtp).length;
    for (let i = 0; i < 5; i++) intruder.send(buildRtp({ payloadType: 8, marker: i === 0, sequence: 300 + i, timestamp: 160 * (10 + i), ssrc: callerSsrc, payload: encodeG711("PCMA", tone) }), trunkSideRtp);
    callerRtp.send(buildRtp({ payloadType: 8, marker: false, sequence: 105, timestamp: 160 * 20, ssrc: callerSsrc, payload: encodeG711("PCMA", tone) }), trunkSideRtp);
    await expect.poll(() => rtpPackets(phone.rtp).length).toBe(heardBefore + 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(rtpPackets(phone.rtp)).toHaveLength(heardBefore + 1);
    // RFC 4733 digits from a bridged leg are still heard (not relayed as audio).
    const digits: string[] = [];
    engine.subscribe((event) => event.type === "dtmf" && digits.push(event.digit));
    callerRtp.send(buildRtp({ payloadType: 101, marker: true, sequence: 200, timestamp: 5000, ssrc: callerSsrc, payload: buildTelephoneEvent({ event: 7, end: true, volume: 10, duration: 800 }) }), trunkSideRtp);
    await expect.poll(() => digits).toEqual(["7"]);

    phone.bye(invite, phoneTag);
    await trunk.until((peer) => peer.requests("BYE").length > 0);
    await expect.poll(() => runs.length).toBe(1);
    expect(runs[0].trace.map((step) => (step.branch ? `${step.node_id}:${step.branch}` : step.node_id))).toEqual(["start:next", "dial:answered", "bye"]);
    const finals = events.flatMap((event) => (event.type === "conversation.ended" ? [event.cdr] : []));
    expect(finals).toHaveLength(1);
    expect(finals[0]).toMatchObject({ called_number: DID, answered_by: { extension: "101" } });
  });

  it("the caller's hang-up while the phone talks ends the phone's call with a BYE", async () => {
    const { events, phone, trunk, invite } = await callToRegisteredPhone("caller-bye");
    await trunk.until((peer) => peer.responses("INVITE").some((response) => response.status === 200));
    const toTag = tagOf(headerValue(trunk.responses("INVITE").find((response) => response.status === 200)!, "to"))!;
    trunk.send(inDialogText("ACK", trunk.local, engine.local, { callId: "caller-bye", to: DID, toTag, cseq: 1, branch: "z9hG4bK-ack2" }), engine.local);
    trunk.send(inDialogText("BYE", trunk.local, engine.local, { callId: "caller-bye", to: DID, toTag, cseq: 2, branch: "z9hG4bK-bye2" }), engine.local);
    await phone.sip.until((peer) => peer.requests("BYE").some((bye) => headerValue(bye, "call-id") === headerValue(invite, "call-id")));
    await expect.poll(() => events.filter((event) => event.type === "conversation.ended").length).toBe(1);
    expect(events.find((event) => event.type === "conversation.ended")).toMatchObject({ cdr: { hangup_cause: "caller_hangup", answered_by: { extension: "101" } } });
  });

  it("the caller's hang-up while the phone rings CANCELs the INVITE", async () => {
    const ringing = await callToRegisteredPhone("cancelled", { phoneAnswers: false });
    ringing.trunk.send(
      inDialogText("CANCEL", ringing.trunk.local, engine.local, { callId: "cancelled", to: DID, toTag: null, cseq: 1, branch: "z9hG4bK-cancelled" }),
      engine.local,
    );
    await ringing.phone.sip.until((peer) => peer.requests("CANCEL").length > 0);
    expect(headerValue(ringing.phone.sip.requests("CANCEL")[0], "via")).toBe(headerValue(ringing.invite, "via"));
    await expect.poll(() => ringing.runs.length).toBe(1);
  });

  it("a phone answering 486 takes the flow's busy branch", async () => {
    const busy = await callToRegisteredPhone("busy", { phoneAnswers: false });
    busy.phone.reply(busy.invite, 486, "Busy Here");
    await busy.phone.sip.until((peer) => peer.requests("ACK").length > 0);
    await expect.poll(() => busy.runs.length).toBe(1);
    expect(busy.runs[0].trace.map((step) => (step.branch ? `${step.node_id}:${step.branch}` : step.node_id))).toEqual(["start:next", "dial:busy", "bye"]);
  });

  it("a flow that dials an extension without a registered phone takes its no-answer branch; the caller gets 480 and the call one final CDR", async () => {
    const directory = new InMemoryDirectory();
    directory.addExtension({ number: "101", userId: "user-101", userName: "User 101" });
    directory.addNumber(DID, "main");
    const events: PbxEvent[] = [];
    const runs: FlowRunResult[] = [];
    const pbx = pbxOver(directory, events, runs, DIAL_101_FLOW);
    const trunk = await SipTestPeer.open();
    try {
      trunk.send(inviteText(trunk.local, engine.local, { callId: "dialling", to: DID }), engine.local);
      await trunk.until((peer) => peer.responses("INVITE").some((response) => response.status >= 200));
      expect(trunk.responses("INVITE").at(-1)?.status).toBe(480);
      await expect.poll(() => runs.length).toBe(1);
      expect(runs[0].trace.map((step) => (step.branch ? `${step.node_id}:${step.branch}` : step.node_id))).toEqual(["start:next", "dial:failed", "bye"]);
      expect(events.filter((event) => event.type === "conversation.ended")).toHaveLength(1);
    } finally {
      pbx.shutdown();
      await trunk.close();
    }
  });

  it("a trunk caller claiming an extension's number stays an outside caller: a call to an unknown number is refused 404, never dialled out as extension 101", async () => {
    const directory = new InMemoryDirectory();
    directory.addExtension({ number: "101", userId: "user-101", userName: "User 101" });
    const events: PbxEvent[] = [];
    const pbx = pbxOver(directory, events, []);
    const trunk = await SipTestPeer.open();
    try {
      trunk.send(inviteText(trunk.local, engine.local, { callId: "spoof", from: "101", to: "+3699999999" }), engine.local);
      await trunk.until((peer) => peer.responses("INVITE").some((response) => response.status >= 200));
      expect(trunk.responses("INVITE").at(-1)?.status).toBe(404);
      const finals = events.flatMap((event) => (event.type === "conversation.ended" ? [event.cdr] : []));
      expect(finals).toHaveLength(1);
      expect(finals[0]).toMatchObject({ direction: "inbound", caller: { number: "101" }, called_number: "+3699999999" });
    } finally {
      pbx.shutdown();
      await trunk.close();
    }
  });
});

function rtpPackets(peer: UdpPeer): RtpPacket[] {
  return peer.received.flatMap(({ datagram }) => {
    const packet = parseRtp(datagram);
    return packet ? [packet] : [];
  });
}

function level(samples: Int16Array): number {
  return samples.reduce((peak, sample) => Math.max(peak, Math.abs(sample)), 0);
}
