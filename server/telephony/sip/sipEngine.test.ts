/**
 * The SIP edge over real loopback UDP, driven by a small TypeScript trunk:
 * call set-up and tear-down from both sides, refusals, and hostile input.
 * (server/telephony/sip/sipEngine.sipp.test.ts drives the happy path with sipp.)
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { systemClock } from "@/flows/runtime/clock";
import type { EngineEvent } from "../engine";
import { tagOf } from "./address";
import { headerValue, type SipResponse } from "./message";
import { decodeG711 } from "./g711";
import { buildRtp, buildTelephoneEvent, parseRtp } from "./rtp";
import { SipEngine } from "./sipEngine";
import { MALFORMED_LOGS_PER_MINUTE } from "./transport";
import { g711Offer, inDialogText, inviteText, SipTestPeer, UdpPeer } from "./testing/sipTestPeer";
import { frameLevels } from "./testing/speech";

const warnings: string[] = [];
const logger = { debug: () => undefined, info: () => undefined, warn: (_f: unknown, m: string) => warnings.push(m), error: (_f: unknown, m: string) => warnings.push(m) };
/** One second of a 400 Hz tone instead of espeak-ng: these tests are about signalling. */
const tonePrompts = { pcm: async () => Int16Array.from({ length: 8000 }, (_, i) => Math.round(6000 * Math.sin((2 * Math.PI * 400 * i) / 8000))) };

let engine: SipEngine;
let events: EngineEvent[];
let trunk: SipTestPeer;
let callerRtp: UdpPeer;
let edge: { port: number };

beforeEach(async () => {
  warnings.length = 0;
  engine = await SipEngine.start({ clock: systemClock, logger, listen: { address: "127.0.0.1", port: 0 }, trustedPeers: ["127.0.0.1"], prompts: tonePrompts });
  events = [];
  engine.subscribe((event) => events.push(event));
  trunk = await SipTestPeer.open();
  callerRtp = await UdpPeer.open();
  edge = { port: engine.local.port };
});

afterEach(async () => {
  await Promise.all([engine.close(), trunk.close(), callerRtp.close()]);
});

const finalResponse = (method: string) => (peer: SipTestPeer) => peer.responses(method).some((response) => response.status >= 200);
const lastFinal = (method: string): SipResponse => trunk.responses(method).filter((response) => response.status >= 200).at(-1)!;

async function offeredCall(callId: string): Promise<string> {
  trunk.send(inviteText(trunk.local, edge, { callId, to: "3612345000", rtpPort: callerRtp.address.port }), edge);
  await trunk.until((peer) => peer.responses("INVITE").some((response) => response.status === 180));
  const incoming = events.find((event) => event.type === "leg.incoming");
  if (!incoming) throw new Error("no leg.incoming");
  return incoming.legId;
}

async function answeredCall(callId: string): Promise<{ legId: string; toTag: string; edgeRtpPort: number }> {
  const legId = await offeredCall(callId);
  engine.answer(legId);
  await trunk.until(finalResponse("INVITE"));
  const ok = lastFinal("INVITE");
  const toTag = tagOf(headerValue(ok, "to"))!;
  trunk.send(inDialogText("ACK", trunk.local, edge, { callId, to: "3612345000", toTag, cseq: 1, branch: `z9hG4bK-ack-${callId}` }), edge);
  const edgeRtpPort = Number(/m=audio (\d+)/.exec(ok.body.toString())![1]);
  return { legId, toTag, edgeRtpPort };
}

describe("an inbound call", () => {
  it("rings (100, 180), reaches call control with from and to, and answers 200 with a G.711 SDP answer and our tag", async () => {
    const legId = await offeredCall("call-a");
    expect(trunk.responses("INVITE").map((response) => response.status)).toEqual([100, 180]);
    expect(events).toEqual([{ type: "leg.incoming", legId, from: "+3611112222", to: "3612345000", viaTrunk: true }]);
    engine.answer(legId);
    await trunk.until(finalResponse("INVITE"));
    const ok = lastFinal("INVITE");
    expect(ok.status).toBe(200);
    expect(headerValue(ok, "content-type")).toBe("application/sdp");
    expect(ok.body.toString()).toMatch(/m=audio \d+ RTP\/AVP 8 101/);
    expect(tagOf(headerValue(ok, "to"))).toBe(tagOf(headerValue(trunk.responses("INVITE")[1], "to")));
  });

  it("repeats the 200 OK until the ACK comes (timer G), then stops", async () => {
    const legId = await offeredCall("call-g");
    engine.answer(legId);
    await trunk.until((peer) => peer.responses("INVITE").filter((response) => response.status === 200).length >= 2, 2000);
    const toTag = tagOf(headerValue(lastFinal("INVITE"), "to"))!;
    trunk.send(inDialogText("ACK", trunk.local, edge, { callId: "call-g", to: "3612345000", toTag, cseq: 1, branch: "z9hG4bK-ack" }), edge);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const okCount = trunk.responses("INVITE").filter((response) => response.status === 200).length;
    await new Promise((resolve) => setTimeout(resolve, 1600));
    expect(trunk.responses("INVITE").filter((response) => response.status === 200).length).toBe(okCount);
  });

  it("answers a retransmitted INVITE with the last response and offers the call only once", async () => {
    await offeredCall("call-r");
    trunk.send(inviteText(trunk.local, edge, { callId: "call-r", to: "3612345000", rtpPort: callerRtp.address.port }), edge);
    await trunk.until((peer) => peer.responses("INVITE").length >= 3);
    expect(trunk.responses("INVITE").map((response) => response.status)).toEqual([100, 180, 180]);
    expect(events.filter((event) => event.type === "leg.incoming")).toHaveLength(1);
  });

  it("plays a prompt as 20 ms G.711 frames towards the caller, and the play resolves completed", async () => {
    const { legId } = await answeredCall("call-p");
    const started = Date.now();
    const outcome = await engine.play(legId, { text: "hello", language: "en" });
    expect(outcome).toBe("completed");
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    const packets = callerRtp.received.map(({ datagram }) => parseRtp(datagram)!);
    expect(packets.length).toBeGreaterThanOrEqual(45);
    expect(packets.every((packet) => packet.payloadType === 8 && packet.payload.length === 160)).toBe(true);
    const sequences = packets.map((packet) => packet.sequence);
    expect(sequences.slice(1).every((sequence, i) => sequence === ((sequences[i] + 1) & 0xffff))).toBe(true);
  });

  it("speaks µ-law (PCMU, payload type 0) when that is what the caller offers", async () => {
    trunk.send(inviteText(trunk.local, edge, { callId: "call-mu", to: "3612345000", sdp: g711Offer("127.0.0.1", callerRtp.address.port, "0 101") }), edge);
    await trunk.until((peer) => peer.responses("INVITE").some((response) => response.status === 180));
    const legId = events.find((event) => event.type === "leg.incoming")!.legId;
    engine.answer(legId);
    await trunk.until(finalResponse("INVITE"));
    expect(lastFinal("INVITE").body.toString()).toMatch(/m=audio \d+ RTP\/AVP 0 101/);
    expect(await engine.play(legId, { text: "tone", language: "en" })).toBe("completed");
    const packets = callerRtp.received.map(({ datagram }) => parseRtp(datagram)!);
    expect(new Set(packets.map((packet) => packet.payloadType))).toEqual(new Set([0]));
    // The tone decodes back from µ-law at the level it was played (RMS of a 6000-amplitude sine ≈ 4243).
    const loudest = Math.max(...frameLevels(decodeG711("PCMU", Buffer.concat(packets.map((packet) => packet.payload)))));
    expect(loudest).toBeGreaterThan(4000);
    expect(loudest).toBeLessThan(4500);
  });

  it("stopPlayback resolves the play as stopped; a new play replaces the current one", async () => {
    const { legId } = await answeredCall("call-s");
    const first = engine.play(legId, { text: "one", language: "en" });
    const second = engine.play(legId, { text: "two", language: "en" });
    expect(await first).toBe("stopped");
    engine.stopPlayback(legId);
    expect(await second).toBe("stopped");
  });

  it("turns RFC 4733 events from the caller's address into dtmf events, and ignores the same from elsewhere", async () => {
    const { legId, edgeRtpPort } = await answeredCall("call-d");
    const intruder = await UdpPeer.open("127.0.0.2");
    const digit = (value: number, timestamp: number) =>
      buildRtp({ payloadType: 101, marker: true, sequence: timestamp, timestamp, ssrc: 99, payload: buildTelephoneEvent({ event: value, end: true, volume: 10, duration: 800 }) });
    try {
      intruder.send(digit(5, 100), edgeRtpPort);
      intruder.send("not even RTP", edgeRtpPort);
      callerRtp.send(digit(1, 200), edgeRtpPort);
      callerRtp.send(digit(1, 200), edgeRtpPort);
      callerRtp.send(digit(11, 300), edgeRtpPort);
      await expect.poll(() => events.filter((event) => event.type === "dtmf")).toHaveLength(2);
      expect(events.filter((event) => event.type === "dtmf")).toEqual([
        { type: "dtmf", legId, digit: "1" },
        { type: "dtmf", legId, digit: "#" },
      ]);
      expect(warnings).toContain("SIP edge: RTP from an unexpected source (or not RTP) ignored");
    } finally {
      await intruder.close();
    }
  });

  it("takes SIP INFO digits as a fallback", async () => {
    const { legId, toTag } = await answeredCall("call-i");
    trunk.send(
      inDialogText("INFO", trunk.local, edge, {
        callId: "call-i",
        to: "3612345000",
        toTag,
        cseq: 2,
        branch: "z9hG4bK-info",
        extraHeaders: ["Content-Type: application/dtmf-relay"],
        body: "Signal=7\r\nDuration=160\r\n",
      }),
      edge,
    );
    await trunk.until(finalResponse("INFO"));
    expect(lastFinal("INFO").status).toBe(200);
    expect(events.filter((event) => event.type === "dtmf")).toEqual([{ type: "dtmf", legId, digit: "7" }]);
  });

  it("ends with leg.hangup when the caller sends BYE (200 OK, also to a retransmitted BYE); the play resolves stopped", async () => {
    const { legId, toTag } = await answeredCall("call-b");
    const playing = engine.play(legId, { text: "long", language: "en" });
    const bye = inDialogText("BYE", trunk.local, edge, { callId: "call-b", to: "3612345000", toTag, cseq: 2, branch: "z9hG4bK-bye" });
    trunk.send(bye, edge);
    await trunk.until(finalResponse("BYE"));
    expect(await playing).toBe("stopped");
    expect(events.at(-1)).toEqual({ type: "leg.hangup", legId, cause: "normal_clearing" });
    trunk.send(bye, edge);
    await trunk.until((peer) => peer.responses("BYE").length === 2);
    expect(trunk.responses("BYE").map((response) => response.status)).toEqual([200, 200]);
    expect(events.filter((event) => event.type === "leg.hangup")).toHaveLength(1);
    expect(() => engine.answer(legId)).toThrow(/not active/);
  });

  it("a BYE before the answer ends the call too, and the INVITE gets its 487", async () => {
    const legId = await offeredCall("call-early-bye");
    const toTag = tagOf(headerValue(trunk.responses("INVITE")[1], "to"))!;
    trunk.send(inDialogText("BYE", trunk.local, edge, { callId: "call-early-bye", to: "3612345000", toTag, cseq: 2, branch: "z9hG4bK-early-bye" }), edge);
    await trunk.until((peer) => finalResponse("BYE")(peer) && finalResponse("INVITE")(peer));
    expect([lastFinal("BYE").status, lastFinal("INVITE").status]).toEqual([200, 487]);
    expect(events.at(-1)).toEqual({ type: "leg.hangup", legId, cause: "normal_clearing" });
  });

  it("sends BYE when call control hangs up an answered call, repeating it until answered; no event", async () => {
    const { legId } = await answeredCall("call-h");
    engine.hangup(legId, "flow_hangup");
    await trunk.until((peer) => peer.requests("BYE").length >= 2, 2000);
    const bye = trunk.requests("BYE")[0];
    expect(bye.uri).toBe(`sip:caller@127.0.0.1:${trunk.local.port}`);
    expect(tagOf(headerValue(bye, "to"))).toBe("caller-tag");
    trunk.send(
      `SIP/2.0 200 OK\r\n${bye.headers.filter((h) => ["via", "from", "to", "call-id", "cseq"].includes(h.name)).map((h) => `${h.name}: ${h.value}`).join("\r\n")}\r\n\r\n`,
      edge,
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    const byes = trunk.requests("BYE").length;
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(trunk.requests("BYE")).toHaveLength(byes);
    expect(events.filter((event) => event.type === "leg.hangup")).toHaveLength(0);
  });

  it("refuses an unanswered call with a SIP status that fits the cause", async () => {
    const legId = await offeredCall("call-u");
    engine.hangup(legId, "unallocated_number");
    await trunk.until(finalResponse("INVITE"));
    expect(lastFinal("INVITE").status).toBe(404);
  });

  it("a CANCEL before the answer: 200 to the CANCEL, 487 to the INVITE, leg.hangup originator_cancel", async () => {
    const legId = await offeredCall("call-c");
    trunk.send(inDialogText("CANCEL", trunk.local, edge, { callId: "call-c", to: "3612345000", toTag: null, cseq: 1, branch: "z9hG4bK-call-c" }), edge);
    await trunk.until((peer) => finalResponse("CANCEL")(peer) && finalResponse("INVITE")(peer));
    expect(lastFinal("CANCEL").status).toBe(200);
    expect(lastFinal("INVITE").status).toBe(487);
    expect(events.at(-1)).toEqual({ type: "leg.hangup", legId, cause: "originator_cancel" });
  });

  it("without an outbound trunk an external number fails (no_trunk, logged); an extension without a registered phone is offline; recording needs a folder", async () => {
    expect(() => engine.startRecording("a")).toThrow(/recordingsDir/);
    expect(() => engine.bridge("a", "b")).toThrow(/not active/);
    const external = engine.originate({ endpoint: { kind: "external", number: "+3612345678" }, callerId: { number: "1", name: null } });
    const legId = engine.originate({ endpoint: { kind: "extension", extension: "101" }, callerId: { number: "1", name: null } });
    expect(events).toEqual([]);
    await Promise.resolve();
    expect(events).toEqual([
      { type: "leg.failed", legId: external, cause: "no_trunk" },
      { type: "leg.failed", legId, cause: "offline" },
    ]);
    expect(warnings.some((warning) => /no outbound trunk is configured/.test(warning))).toBe(true);
  });
});

describe("refusals", () => {
  it("488 with a Warning when the offer has no G.711, and no call reaches call control", async () => {
    trunk.send(inviteText(trunk.local, edge, { callId: "call-488", to: "3612345000", sdp: g711Offer("127.0.0.1", 4000, "18 101") }), edge);
    await trunk.until(finalResponse("INVITE"));
    expect(lastFinal("INVITE").status).toBe(488);
    expect(headerValue(lastFinal("INVITE"), "warning")).toContain("no common codec");
    expect(events).toEqual([]);
  });

  it("403 to an INVITE from an address that is not a trusted trunk", async () => {
    const stranger = await SipTestPeer.open("127.0.0.2");
    try {
      stranger.send(inviteText(stranger.local, edge, { callId: "call-403", to: "3612345000" }), edge);
      await stranger.until(finalResponse("INVITE"));
      expect(lastFinalOf(stranger, "INVITE").status).toBe(403);
      expect(events).toEqual([]);
    } finally {
      await stranger.close();
    }
  });

  it("503 beyond maxCalls; a call that ended frees its place at once", async () => {
    const small = await SipEngine.start({ clock: systemClock, logger, listen: { address: "127.0.0.1", port: 0 }, trustedPeers: ["127.0.0.1"], prompts: tonePrompts, maxCalls: 1 });
    const smallEdge = { port: small.local.port };
    const offered: string[] = [];
    small.subscribe((event) => event.type === "leg.incoming" && offered.push(event.legId));
    try {
      trunk.send(inviteText(trunk.local, smallEdge, { callId: "first", to: "1", fromTag: "a" }), smallEdge);
      await trunk.until((peer) => peer.responses("INVITE").some((response) => response.status === 180));
      trunk.send(inviteText(trunk.local, smallEdge, { callId: "second", to: "1", fromTag: "b" }), smallEdge);
      await trunk.until(finalResponse("INVITE"));
      expect(lastFinal("INVITE").status).toBe(503);
      small.hangup(offered[0], "user_busy");
      trunk.send(inviteText(trunk.local, smallEdge, { callId: "third", to: "1", fromTag: "c" }), smallEdge);
      await trunk.until((peer) => peer.responses("INVITE").filter((response) => response.status === 180).length === 2);
      expect(offered).toHaveLength(2);
    } finally {
      await small.close();
    }
  });

  it("481 to a BYE for a call it does not know; 405 to REGISTER (no registrar yet); 200 to OPTIONS", async () => {
    trunk.send(inDialogText("BYE", trunk.local, edge, { callId: "nope", to: "1", toTag: "x", cseq: 2, branch: "z9hG4bK-x" }), edge);
    trunk.send(inDialogText("REGISTER", trunk.local, edge, { callId: "reg", to: "101", toTag: null, cseq: 1, branch: "z9hG4bK-reg" }), edge);
    trunk.send(inDialogText("OPTIONS", trunk.local, edge, { callId: "opt", to: "1", toTag: null, cseq: 1, branch: "z9hG4bK-opt" }), edge);
    await trunk.until((peer) => finalResponse("BYE")(peer) && finalResponse("REGISTER")(peer) && finalResponse("OPTIONS")(peer));
    expect([lastFinal("BYE").status, lastFinal("REGISTER").status, lastFinal("OPTIONS").status]).toEqual([481, 405, 200]);
  });
});

function lastFinalOf(peer: SipTestPeer, method: string): SipResponse {
  return peer.responses(method).filter((response) => response.status >= 200).at(-1)!;
}

describe("hostile input", () => {
  it("drops garbage, answers malformed requests 400 when it can, and keeps serving", async () => {
    const headersOnly = (extra: string) =>
      `INVITE sip:1@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${trunk.local.port};branch=z9hG4bK-bad\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:1@127.0.0.1>\r\nCall-ID: bad-1\r\nCSeq: 1 INVITE\r\n${extra}\r\n\r\n`;
    trunk.udp.send(Buffer.from([0, 1, 2, 3, 255, 254, 13, 10, 13, 10]), edge.port);
    trunk.udp.send(Buffer.alloc(60_000, "A"), edge.port);
    trunk.udp.send("INVITE sip:1@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK-x\r\nFrom: <sip:a@b>;tag=1\r\n\r\n", edge.port); // no To, Call-ID, CSeq
    trunk.udp.send(headersOnly("Content-Length: 4294967295"), edge.port);
    trunk.udp.send(headersOnly("Content-Length: 20\r\nContent-Type: application/sdp").replace("\r\n\r\n", "\r\n\r\nv=0"), edge.port);
    trunk.udp.send(`${headersOnly("")}`.replace("CSeq: 1 INVITE", "CSeq: banana"), edge.port);
    trunk.udp.send(headersOnly("Content-Type: application/sdp").replace("\r\n\r\n", "\r\nContent-Length: 9\r\n\r\nnot sdp!!"), edge.port);
    trunk.send(inDialogText("OPTIONS", trunk.local, edge, { callId: "still-alive", to: "1", toTag: null, cseq: 1, branch: "z9hG4bK-alive" }), edge);
    await trunk.until(finalResponse("OPTIONS"));
    const invites = trunk.responses("INVITE").map((response) => response.status);
    // Two Content-Length lies answered 400; the unreadable SDP refused 488; nothing else reached call control.
    expect(invites.filter((status) => status === 400)).toHaveLength(2);
    expect(invites).toContain(488);
    expect(events).toEqual([]);
    expect(warnings.filter((warning) => warning === "SIP edge: malformed message refused").length).toBeGreaterThanOrEqual(5);
  });

  it("logs a flood of malformed datagrams only up to a budget per minute", async () => {
    for (let i = 0; i < MALFORMED_LOGS_PER_MINUTE + 30; i++) trunk.udp.send(`garbage ${i}`, edge.port);
    trunk.send(inDialogText("OPTIONS", trunk.local, edge, { callId: "after-flood", to: "1", toTag: null, cseq: 1, branch: "z9hG4bK-flood" }), edge);
    await trunk.until(finalResponse("OPTIONS"));
    expect(warnings.filter((warning) => warning === "SIP edge: malformed message refused")).toHaveLength(MALFORMED_LOGS_PER_MINUTE);
  });
});
