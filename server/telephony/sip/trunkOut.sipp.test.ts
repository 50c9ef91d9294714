/**
 * Calls out through the trunk (README "SIP edge", stage 3) and recordings of
 * SIP legs (stage 4). sipp is the provider behind the trunk
 * (`testing/trunk-answers.xml`): it challenges the first INVITE with a 401,
 * checks our digest answer with its own code, answers and talks (g711a.pcap).
 * The trunk listens on 127.0.0.2 and the phones on 127.0.0.1, because an
 * INVITE from a trunk address is a trunk call and from anywhere else a phone's.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
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
import type { EngineEvent } from "../engine";
import { tagOf } from "./address";
import { decodeG711 } from "./g711";
import { DigestAuthenticator, parseDigestAuthorization } from "./digest";
import { headerValue, type SipRequest } from "./message";
import { PromptAudio } from "./prompts";
import { parseRtp } from "./rtp";
import { SipEngine } from "./sipEngine";
import { freeUdpPort, missingSippTools, SIPP_SKIP_MESSAGE, sippTrunk } from "./testing/sipp";
import { g711Offer, inDialogText, inviteText, SipTestPeer, UdpPeer } from "./testing/sipTestPeer";
import { TestPhone } from "./testing/testPhone";
import { pbxOnEngine } from "./testing/pbx";

const missing = missingSippTools();
if (missing.length > 0) console.warn(SIPP_SKIP_MESSAGE(missing));

const TRUNK_ADDRESS = "127.0.0.2";
const DID = "+3612345000";
const OUTSIDE = "+36201234567";
const PHONE_PASSWORD = "phone-101-secret";

let dir: string;
let engine: SipEngine;
let trunkPort: number;
const logger = new MemoryLogger();
const cleanups: (() => unknown)[] = [];

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "sip-trunk-out-"));
  trunkPort = await freeUdpPort(TRUNK_ADDRESS);
  engine = await SipEngine.start({
    clock: systemClock,
    logger,
    listen: { address: "127.0.0.1", port: 0 },
    trustedPeers: [TRUNK_ADDRESS],
    prompts: new PromptAudio({ cacheDir: path.join(dir, "prompts"), recordingFile: () => undefined, logger }),
    registrar: { realm: "switchboard", nonceSecret: Buffer.from("test"), password: (extension) => (extension === "101" || extension === "102" ? PHONE_PASSWORD : null) },
    outboundTrunk: () => ({ host: TRUNK_ADDRESS, port: trunkPort, username: "trunk-user", password: "trunk-secret" }),
    recordingsDir: path.join(dir, "recordings"),
  });
});

afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
  await engine.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(missing.length > 0)("calls out through the trunk (sipp as the provider)", () => {
  it("answers the 401 with a digest sipp accepts, maps 180/200 to ringing/answered, records the callee's voice to a WAV, and ends with BYE", { timeout: 30_000 }, async () => {
    const trunk = await sippTrunk({ address: TRUNK_ADDRESS, port: trunkPort, cwd: dir });
    const events: EngineEvent[] = [];
    engine.subscribe((event) => events.push(event));
    const legId = engine.originate({ endpoint: { kind: "external", number: OUTSIDE }, callerId: { number: DID, name: "Switchboard" } });
    await expect.poll(() => events.map((event) => event.type), { timeout: 10_000 }).toEqual(["leg.ringing", "leg.answered"]);

    engine.startRecording(legId);
    const recordedFrom = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const file = engine.stopRecording(legId)!;
    const recordedMs = Date.now() - recordedFrom;
    engine.hangup(legId, "normal_clearing");
    const exit = await trunk.exit;
    expect(exit.code, exit.stderr).toBe(0);

    // The second INVITE went to sip:<number>@<trunk> with the caller id in From and the digest in Authorization.
    const messages = trunk.messages();
    expect(messages).toContain(`INVITE sip:${OUTSIDE}@${TRUNK_ADDRESS}:${trunkPort} SIP/2.0`);
    expect(messages).toMatch(new RegExp(`From: "Switchboard" <sip:\\${DID}@`));
    expect(messages).toMatch(/\nAuthorization: Digest username="trunk-user", realm="trunk.example"/);
    expect(events.map((event) => event.type)).toEqual(["leg.ringing", "leg.answered"]);

    // The WAV: the simulated engine's format, as long as the recording ran, with the callee's voice in it.
    expect(file.format).toBe("wav");
    expect(file.path).toBe(path.join(dir, "recordings", `${file.code}.wav`));
    const bytes = fs.readFileSync(file.path);
    expect(file.sizeBytes).toBe(bytes.length);
    expect(file.sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
    expect(execFileSync("sox", ["--i", "-r", file.path]).toString().trim()).toBe("8000");
    expect(execFileSync("sox", ["--i", "-c", file.path]).toString().trim()).toBe("1");
    expect(execFileSync("sox", ["--i", "-b", file.path]).toString().trim()).toBe("16");
    const seconds = Number(execFileSync("sox", ["--i", "-D", file.path]).toString());
    expect(Math.abs(seconds * 1000 - file.durationMs)).toBeLessThan(1);
    expect(Math.abs(file.durationMs - recordedMs)).toBeLessThan(100);
    expect(soxRms(file.path)).toBeGreaterThan(0.02);
  });

  it("a flow's forward_external from an inbound trunk call: the caller and the provider's callee talk, the caller's BYE ends the call out, one final CDR", { timeout: 30_000 }, async () => {
    const directory = new InMemoryDirectory();
    directory.addNumber(DID, "main");
    const flow = sketchFlow(
      [
        { id: "start", type: "start" },
        { id: "forward", type: "forward_external", config: { number: OUTSIDE, ring_timeout_s: 20 } },
        { id: "bye", type: "hangup" },
      ],
      ["start:next -> forward", "forward:answered -> bye", "forward:no_answer -> bye", "forward:busy -> bye", "forward:failed -> bye"],
    );
    const { events, runs } = pbxOver(directory, flow);
    const provider = await sippTrunk({ address: TRUNK_ADDRESS, port: trunkPort, cwd: dir });
    const caller = await SipTestPeer.open(TRUNK_ADDRESS);
    const callerRtp = await UdpPeer.open(TRUNK_ADDRESS);
    cleanups.push(() => caller.close(), () => callerRtp.close());
    caller.send(inviteText(caller.local, engine.local, { callId: "forwarded", from: "+36301234567", to: DID, rtpPort: callerRtp.address.port }), engine.local);
    await caller.until((peer) => peer.responses("INVITE").some((response) => response.status === 200), 10_000);
    const ok = caller.responses("INVITE").find((response) => response.status === 200)!;
    const toTag = tagOf(headerValue(ok, "to"))!;
    caller.send(inDialogText("ACK", caller.local, engine.local, { callId: "forwarded", to: DID, toTag, cseq: 1, branch: "z9hG4bK-fw-ack" }), engine.local);
    // The provider's callee (sipp's g711a.pcap) is heard by the caller, relayed as A-law.
    await expect.poll(() => loudPackets(callerRtp, 8), { timeout: 10_000 }).toBeGreaterThan(10);
    caller.send(inDialogText("BYE", caller.local, engine.local, { callId: "forwarded", to: DID, toTag, cseq: 2, branch: "z9hG4bK-fw-bye" }), engine.local);
    const exit = await provider.exit;
    expect(exit.code, exit.stderr).toBe(0);
    await expect.poll(() => runs.length).toBe(1);
    // The caller hung up while talking: the forward never returns a branch, the run ends on the hang-up.
    expect(runs[0].trace.map((step) => (step.branch ? `${step.node_id}:${step.branch}` : step.node_id))).toEqual(["start:next", "forward"]);
    expect(runs[0].outcome).toBe("hangup");
    const finals = finalCdrs(events);
    expect(finals).toHaveLength(1);
    expect(finals[0]).toMatchObject({ direction: "inbound", called_number: DID, hangup_cause: "caller_hangup" });
    expect(finals[0].answered_at).not.toBeNull();
  });

  it("a registered phone dials an external number: challenged with its SIP password, then out through the trunk; the phone hears the callee; the recorded call's WAV is in the CDR", { timeout: 30_000 }, async () => {
    const directory = new InMemoryDirectory();
    directory.addExtension({ number: "101", userId: "user-101", userName: "User 101", recordCalls: true });
    const { events } = pbxOver(directory);
    const provider = await sippTrunk({ address: TRUNK_ADDRESS, port: trunkPort, cwd: dir });
    const phone = await TestPhone.open("101", engine.local);
    cleanups.push(() => phone.close());
    expect(await phone.register(PHONE_PASSWORD)).toBe(200);

    const call = await phone.dial(OUTSIDE, PHONE_PASSWORD);
    expect(call.challenged).toBe(401);
    expect(call.status).toBe(200);
    await expect.poll(() => loudPackets(phone.rtp, 8), { timeout: 10_000 }).toBeGreaterThan(10);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    phone.hangUpOwnCall(call);
    const exit = await provider.exit;
    expect(exit.code, exit.stderr).toBe(0);
    await expect.poll(() => finalCdrs(events).length).toBe(1);
    const cdr = finalCdrs(events)[0];
    expect(cdr).toMatchObject({ direction: "outbound", caller: { number: "101" }, called_number: OUTSIDE });
    // Recorded from the answer to the hang-up: as long as the talk time, and the callee's voice is in it.
    expect(cdr.recordings).toHaveLength(1);
    const recording = cdr.recordings[0];
    const file = path.join(dir, "recordings", `${recording.code}.wav`);
    expect(recording).toMatchObject({ format: "wav", size_bytes: fs.statSync(file).size });
    expect(Math.abs(Number(execFileSync("sox", ["--i", "-D", file]).toString()) - recording.duration_s)).toBeLessThan(0.002);
    expect(Math.abs(recording.duration_s - cdr.talk_time_s)).toBeLessThan(0.2);
    expect(recording.duration_s).toBeGreaterThan(0.8);
    expect(soxRms(file)).toBeGreaterThan(0.02);
  });

  it("click-to-call rings the registered phone first (auto-answer), then the number through the trunk", { timeout: 30_000 }, async () => {
    const directory = new InMemoryDirectory();
    directory.addExtension({ number: "101", userId: "user-101", userName: "User 101" });
    const { pbx, events } = pbxOver(directory);
    const provider = await sippTrunk({ address: TRUNK_ADDRESS, port: trunkPort, cwd: dir });
    const phone = await TestPhone.open("101", engine.local);
    cleanups.push(() => phone.close());
    expect(await phone.register(PHONE_PASSWORD)).toBe(200);

    pbx.clickToCall({ fromExtension: "101", to: OUTSIDE, autoAnswer: true });
    const invite = await phone.incomingInvite();
    expect(headerValue(invite, "call-info")).toMatch(/answer-after=0/);
    const phoneTag = phone.reply(invite, 200, "OK", { sdp: true });
    await expect.poll(() => loudPackets(phone.rtp, 8), { timeout: 10_000 }).toBeGreaterThan(10);
    phone.bye(invite, phoneTag);
    const exit = await provider.exit;
    expect(exit.code, exit.stderr).toBe(0);
    await expect.poll(() => finalCdrs(events).length).toBe(1);
    expect(finalCdrs(events)[0]).toMatchObject({ called_number: OUTSIDE });
    expect(finalCdrs(events)[0].answered_at).not.toBeNull();
  });
});

describe("phones placing calls (no sipp needed)", () => {
  it("a registered phone dials another extension: an internal call rings that phone; a wrong password is challenged again and places nothing", async () => {
    const directory = new InMemoryDirectory();
    directory.addExtension({ number: "101", userId: "user-101", userName: "User 101" });
    directory.addExtension({ number: "102", userId: "user-102", userName: "User 102" });
    const { events } = pbxOver(directory);
    const caller = await TestPhone.open("101", engine.local);
    const callee = await TestPhone.open("102", engine.local);
    cleanups.push(() => caller.close(), () => callee.close());
    expect(await callee.register(PHONE_PASSWORD)).toBe(200);

    const refused = await caller.dial("102", "not-the-password");
    expect(refused.status).toBe(401);
    expect(callee.sip.requests("INVITE")).toHaveLength(0);

    const placing = caller.dial("102", PHONE_PASSWORD);
    const invite = await callee.incomingInvite();
    expect(headerValue(invite, "from")).toMatch(/<sip:101@/);
    callee.reply(invite, 200, "OK", { sdp: true });
    expect((await placing).status).toBe(200);
    await expect.poll(() => events.filter((event) => event.type === "call.answered").length).toBe(1);
    expect(events.find((event) => event.type === "call.started")).toMatchObject({ call: { direction: "internal" } });
  });

  it("with no outbound trunk, a phone's call to an external number fails cleanly and the failure is logged", async () => {
    const bare = await SipEngine.start({
      clock: systemClock,
      logger,
      listen: { address: "127.0.0.1", port: 0 },
      trustedPeers: [TRUNK_ADDRESS],
      prompts: new PromptAudio({ cacheDir: path.join(dir, "prompts"), recordingFile: () => undefined, logger }),
      registrar: { realm: "switchboard", nonceSecret: Buffer.from("test"), password: () => PHONE_PASSWORD },
    });
    const directory = new InMemoryDirectory();
    directory.addExtension({ number: "101", userId: "user-101", userName: "User 101" });
    const events: PbxEvent[] = [];
    const pbx = new Pbx({ clock: systemClock, engine: bare, directory, sink: (event) => events.push(event), logger });
    const phone = await TestPhone.open("101", bare.local);
    cleanups.push(() => pbx.shutdown(), () => phone.close(), () => bare.close());
    expect(await phone.register(PHONE_PASSWORD)).toBe(200);
    const call = await phone.dial(OUTSIDE, PHONE_PASSWORD);
    expect(call.status).toBeGreaterThanOrEqual(400);
    await expect.poll(() => finalCdrs(events).length).toBe(1);
    expect(logger.entries.some((entry) => /no outbound trunk is configured/.test(entry.message))).toBe(true);
  });
});

describe("over a TypeScript trunk (the provider's side)", () => {
  /** The provider's reply to one of our requests. */
  function reply(provider: SipTestPeer, request: SipRequest, status: number, reason: string, extra: string[] = []): void {
    const lines = [
      `SIP/2.0 ${status} ${reason}`,
      ...request.headers.filter((header) => header.name === "via").map((header) => `Via: ${header.value}`),
      `From: ${headerValue(request, "from")}`,
      `To: ${headerValue(request, "to")};tag=provider`,
      `Call-ID: ${headerValue(request, "call-id")}`,
      `CSeq: ${headerValue(request, "cseq")}`,
      ...extra,
    ];
    provider.send([...lines, "", ""].join("\n"), engine.local);
  }

  it("answers a 407 (qop=auth) with a Proxy-Authorization a digest verifier accepts, in a new transaction; 486 is leg.busy; a second challenge fails the call", async () => {
    const provider = await SipTestPeer.open(TRUNK_ADDRESS);
    cleanups.push(() => provider.close());
    trunkPort = provider.local.port; // the trunk is read per call: the next call goes here
    const events: EngineEvent[] = [];
    engine.subscribe((event) => events.push(event));
    const verifier = new DigestAuthenticator(Buffer.from("provider-secret"), "trunk.example");

    const busy = engine.originate({ endpoint: { kind: "external", number: OUTSIDE }, callerId: { number: DID, name: null } });
    await provider.until((peer) => peer.requests("INVITE").length === 1);
    const challenged = provider.requests("INVITE")[0];
    reply(provider, challenged, 407, "Proxy Authentication Required", [`Proxy-Authenticate: ${verifier.challenge(Date.now())}`]);
    await provider.until((peer) => peer.requests("INVITE").length === 2);
    const answered = provider.requests("INVITE")[1];
    const credentials = parseDigestAuthorization(headerValue(answered, "proxy-authorization"));
    expect(credentials).toMatchObject({ username: "trunk-user", realm: "trunk.example", qop: "auth", uri: `sip:${OUTSIDE}@${TRUNK_ADDRESS}:${trunkPort}` });
    expect(verifier.verify(credentials!, "INVITE", "trunk-secret", Date.now())).toBe("ok");
    expect(headerValue(answered, "via")).not.toBe(headerValue(challenged, "via"));
    expect(Number.parseInt(headerValue(answered, "cseq")!)).toBe(Number.parseInt(headerValue(challenged, "cseq")!) + 1);
    expect(headerValue(answered, "call-id")).toBe(headerValue(challenged, "call-id"));
    // The challenge again (as if our ACK had been lost) is ACKed again in its own transaction, and changes nothing.
    reply(provider, challenged, 407, "Proxy Authentication Required", [`Proxy-Authenticate: ${verifier.challenge(Date.now())}`]);
    await provider.until((peer) => peer.requests("ACK").length === 2);
    reply(provider, answered, 486, "Busy Here");
    await expect.poll(() => events).toEqual([{ type: "leg.busy", legId: busy, cause: "user_busy" }]);
    // Every refusal was ACKed within its own transaction (branch and CSeq of the INVITE it answered).
    await provider.until((peer) => peer.requests("ACK").length === 3);
    const acks = provider.requests("ACK");
    expect(acks.map((ack) => headerValue(ack, "via"))).toEqual([headerValue(challenged, "via"), headerValue(challenged, "via"), headerValue(answered, "via")]);
    expect(acks.map((ack) => Number.parseInt(headerValue(ack, "cseq")!))).toEqual([challenged, challenged, answered].map((invite) => Number.parseInt(headerValue(invite, "cseq")!)));
    expect(provider.requests("INVITE")).toHaveLength(2);

    const refused = engine.originate({ endpoint: { kind: "external", number: OUTSIDE }, callerId: { number: DID, name: null } });
    await provider.until((peer) => peer.requests("INVITE").length === 3);
    reply(provider, provider.requests("INVITE")[2], 407, "Proxy Authentication Required", [`Proxy-Authenticate: ${verifier.challenge(Date.now())}`]);
    await provider.until((peer) => peer.requests("INVITE").length === 4);
    reply(provider, provider.requests("INVITE")[3], 407, "Proxy Authentication Required", [`Proxy-Authenticate: ${verifier.challenge(Date.now())}`]);
    await expect.poll(() => events.at(-1)).toEqual({ type: "leg.failed", legId: refused, cause: "offline" });
    expect(provider.requests("INVITE")).toHaveLength(4);
  });
  it("extension 101 forwarding every call to an external number: a trunk call for 101 leaves through the trunk, the callee answers, the CDR says forwarded from 101", async () => {
    const provider = await SipTestPeer.open(TRUNK_ADDRESS);
    const caller = await SipTestPeer.open(TRUNK_ADDRESS);
    const callerRtp = await UdpPeer.open(TRUNK_ADDRESS);
    cleanups.push(() => provider.close(), () => caller.close(), () => callerRtp.close());
    trunkPort = provider.local.port;
    const directory = new InMemoryDirectory();
    directory.addExtension({ number: "101", userId: "user-101", userName: "User 101" });
    directory.setForwarding("101", { unconditional: { enabled: true, destination: { type: "external", number: OUTSIDE } } });
    directory.addNumber(DID, "main");
    const dialling = sketchFlow(
      [
        { id: "start", type: "start" },
        { id: "dial", type: "dial_extension", config: { extension: "101", ring_timeout_s: 20 } },
        { id: "bye", type: "hangup" },
      ],
      ["start:next -> dial", "dial:answered -> bye", "dial:no_answer -> bye", "dial:busy -> bye", "dial:failed -> bye"],
    );
    const { events } = pbxOver(directory, dialling);

    caller.send(inviteText(caller.local, engine.local, { callId: "to-forwarded", to: DID, rtpPort: callerRtp.address.port }), engine.local);
    await provider.until((peer) => peer.requests("INVITE").length === 1);
    const invite = provider.requests("INVITE")[0];
    expect(invite.uri).toBe(`sip:${OUTSIDE}@${TRUNK_ADDRESS}:${trunkPort}`);
    const providerRtp = await UdpPeer.open(TRUNK_ADDRESS);
    cleanups.push(() => providerRtp.close());
    reply(provider, invite, 180, "Ringing");
    reply(provider, invite, 200, "OK", [`Contact: <sip:callee@${TRUNK_ADDRESS}:${trunkPort}>`, "Content-Type: application/sdp", "", g711Offer(TRUNK_ADDRESS, providerRtp.address.port, "8 101")]);
    await provider.until((peer) => peer.requests("ACK").length === 1);
    await caller.until((peer) => peer.responses("INVITE").some((response) => response.status === 200));
    const toTag = tagOf(headerValue(caller.responses("INVITE").find((response) => response.status === 200)!, "to"))!;
    caller.send(inDialogText("ACK", caller.local, engine.local, { callId: "to-forwarded", to: DID, toTag, cseq: 1, branch: "z9hG4bK-tf-ack" }), engine.local);
    caller.send(inDialogText("BYE", caller.local, engine.local, { callId: "to-forwarded", to: DID, toTag, cseq: 2, branch: "z9hG4bK-tf-bye" }), engine.local);
    await provider.until((peer) => peer.requests("BYE").length === 1);
    await expect.poll(() => finalCdrs(events).length).toBe(1);
    expect(finalCdrs(events)[0]).toMatchObject({ called_number: DID, forwarded_from: { extension: "101" }, hangup_cause: "caller_hangup" });
    expect(finalCdrs(events)[0].answered_at).not.toBeNull();
  });
});

function pbxOver(directory: InMemoryDirectory, document?: ReturnType<typeof sketchFlow>) {
  const events: PbxEvent[] = [];
  const runs: FlowRunResult[] = [];
  const pbx = pbxOnEngine({ engine, directory, logger, document, events, runs });
  cleanups.push(() => pbx.shutdown());
  return { pbx, events, runs };
}

function finalCdrs(events: PbxEvent[]) {
  return events.flatMap((event) => (event.type === "conversation.ended" ? [event.cdr] : []));
}

/** Audio packets of `payloadType` whose samples reach speech level. */
function loudPackets(peer: UdpPeer, payloadType: number): number {
  return peer.received.filter(({ datagram }) => {
    const packet = parseRtp(datagram);
    if (!packet || packet.payloadType !== payloadType) return false;
    return decodeG711(payloadType === 8 ? "PCMA" : "PCMU", packet.payload).some((sample) => Math.abs(sample) > 2000);
  }).length;
}

/** sox's RMS amplitude of a file (0 is silence, 1 full scale). */
function soxRms(file: string): number {
  const output = spawnSync("sox", [file, "-n", "stat"], { encoding: "utf8" }).stderr;
  return Number(/RMS\s+amplitude:\s+([\d.]+)/.exec(output)?.[1] ?? "NaN");
}
