import { createHash } from "node:crypto";
import fs from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import type { CallChannel, CollectDigitsRequest } from "@/flows/runtime/ports";
import { recordingPath } from "@/server/telephony/simulated/wav";
import { createWorld, CUSTOMER, DID, type World } from "./testing/world";

let world: World;
afterEach(() => world?.cleanup());

const prompt = (text: string) => ({ text, language: "en" });
const menu = (overrides: Partial<CollectDigitsRequest> = {}): CollectDigitsRequest => ({
  prompt: prompt("Press one for sales, two for support"), // 36 characters: 2160 ms
  minLength: 1,
  maxLength: 1,
  terminator: "",
  timeoutMs: 5000,
  ...overrides,
});

/** Runs `flow` on one inbound call; returns what it resolved with, in order. */
function run(flow: (channel: CallChannel) => Promise<unknown[]>) {
  const results: unknown[] = [];
  world = createWorld({ flow: async (channel) => void results.push(...(await flow(channel))) });
  const start = () => world.pbx.placeInboundCall({ from: CUSTOMER, to: DID }).callId;
  return { results, start };
}

describe("play", () => {
  it("answers the call when audio is first needed and completes after the prompt's length", async () => {
    const { results, start } = run(async (channel) => [await channel.play(prompt("x".repeat(20)))]);
    const callId = start();
    await world.advance(1199);
    expect(results).toEqual([]);
    await world.advance(1);
    expect(results).toEqual([{ status: "completed" }]);
    expect(world.onlyFinalCdr()).toMatchObject({ disposition: "answered", answered_at: world.pbx.getCall(callId)?.started_at, answered_by: null });
  });
});

describe("collectDigits", () => {
  it("a digit during the prompt interrupts it (barge-in)", async () => {
    const { results, start } = run(async (channel) => [await channel.collectDigits(menu())]);
    const callId = start();
    await world.advance(1000);
    world.pbx.sendDtmf(callId, "2");
    await world.flush();
    expect(results).toEqual([{ status: "ok", digits: "2" }]);
  });

  it("times out after the prompt when nothing is pressed", async () => {
    const { results, start } = run(async (channel) => [await channel.collectDigits(menu())]);
    start();
    await world.advance(2160 + 4999);
    expect(results).toEqual([]);
    await world.advance(1);
    expect(results).toEqual([{ status: "timeout", digits: "" }]);
  });

  it("stops at the terminator, which is not part of the digits", async () => {
    const { results, start } = run(async (channel) => [await channel.collectDigits(menu({ maxLength: 10, terminator: "#", prompt: undefined }))]);
    const callId = start();
    await world.flush();
    world.pbx.sendDtmf(callId, "4711#");
    await world.flush();
    expect(results).toEqual([{ status: "ok", digits: "4711" }]);
  });

  it("restarts the timeout per digit and accepts enough digits on timeout", async () => {
    const { results, start } = run(async (channel) => [await channel.collectDigits(menu({ minLength: 2, maxLength: 6, prompt: undefined }))]);
    const callId = start();
    await world.flush();
    world.pbx.sendDtmf(callId, "1");
    await world.advance(4000);
    world.pbx.sendDtmf(callId, "2");
    await world.advance(4999);
    expect(results).toEqual([]);
    await world.advance(1);
    expect(results).toEqual([{ status: "ok", digits: "12" }]);
  });

  it("too few digits at the timeout is a timeout, with what was typed", async () => {
    const { results, start } = run(async (channel) => [await channel.collectDigits(menu({ minLength: 3, maxLength: 6, prompt: undefined }))]);
    const callId = start();
    await world.flush();
    world.pbx.sendDtmf(callId, "9");
    await world.advance(5000);
    expect(results).toEqual([{ status: "timeout", digits: "9" }]);
  });

  it("digits typed during an earlier prompt count (type-ahead) and skip the menu prompt", async () => {
    const { results, start } = run(async (channel) => [await channel.play(prompt("Welcome to Switchboard")), await channel.collectDigits(menu())]);
    const callId = start();
    await world.advance(100);
    world.pbx.sendDtmf(callId, "1");
    await world.advance(1320);
    expect(results).toEqual([{ status: "completed" }, { status: "ok", digits: "1" }]);
  });
});

describe("voicemail", () => {
  const mailbox = { mailboxExtension: "105", greeting: prompt("Leave a message"), maxLengthMs: 60_000 }; // greeting: 900 ms

  it("records after the greeting until #, and the file matches the CDR's size and hash", async () => {
    const { results, start } = run(async (channel) => [await channel.voicemail(mailbox)]);
    const callId = start();
    await world.advance(900 + 4000);
    world.pbx.sendDtmf(callId, "#");
    await world.flush();
    const [result] = results as { status: string; recordingCode: string }[];
    expect(result.status).toBe("recorded");
    const cdr = world.onlyFinalCdr();
    expect(cdr).toMatchObject({ disposition: "voicemail", requested: { extension: "105" } });
    expect(cdr.recordings).toHaveLength(1);
    const [recording] = cdr.recordings;
    expect(recording).toMatchObject({ code: result.recordingCode, duration_s: 4, format: "wav", size_bytes: 44 + 4 * 16000, url: `/api/v1/recordings/${result.recordingCode}` });
    const bytes = fs.readFileSync(recordingPath(world.recordingsDir, recording.code));
    expect(bytes.length).toBe(recording.size_bytes);
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(recording.sha256);
    expect(world.eventsOf("voicemail.left")).toMatchObject([{ data: { call_id: callId, mailbox_extension: "105", recording } }]);
  });

  it("stops at the maximum length", async () => {
    const { results, start } = run(async (channel) => [await channel.voicemail({ ...mailbox, maxLengthMs: 10_000 })]);
    start();
    await world.advance(900 + 10_000);
    expect(results).toMatchObject([{ status: "recorded" }]);
    expect(world.onlyFinalCdr().recordings[0].duration_s).toBe(10);
  });

  it("keeps the message when the caller hangs up while recording", async () => {
    const { results, start } = run(async (channel) => [await channel.voicemail(mailbox)]);
    const callId = start();
    await world.advance(900 + 7000);
    world.pbx.hangupCall(callId);
    await world.flush();
    expect(results).toEqual([{ status: "hangup" }]);
    expect(world.onlyFinalCdr()).toMatchObject({ disposition: "voicemail", recordings: [{ duration_s: 7 }] });
    expect(world.eventsOf("voicemail.left")).toHaveLength(1);
  });

  it("a message shorter than a second is empty and leaves no file; an unknown mailbox is empty", async () => {
    const { results, start } = run(async (channel) => [await channel.voicemail({ ...mailbox, greeting: undefined }), await channel.voicemail({ ...mailbox, mailboxExtension: "999" })]);
    const callId = start();
    await world.advance(500);
    world.pbx.sendDtmf(callId, "#");
    await world.flush();
    expect(results).toEqual([{ status: "empty" }, { status: "empty" }]);
    expect(fs.readdirSync(world.recordingsDir)).toEqual([]);
    expect(world.onlyFinalCdr().recordings).toEqual([]);
  });
});

describe("caller hang-up during every operation resolves hangup", () => {
  const operations: [string, (channel: CallChannel) => Promise<unknown>, number][] = [
    ["play", (channel) => channel.play(prompt("A rather long announcement that keeps going")), 1000],
    ["collectDigits (prompt)", (channel) => channel.collectDigits(menu()), 1000],
    ["collectDigits (waiting)", (channel) => channel.collectDigits(menu()), 4000],
    ["dial (ringing)", (channel) => channel.dial({ targets: [{ type: "extension", number: "101" }], strategy: "simultaneous", ringTimeoutMs: 30_000, followForwarding: true }), 1000],
    ["ring group (ringing)", (channel) => channel.dial({ targets: [{ type: "extension", number: "101" }, { type: "extension", number: "102" }], strategy: "sequential", ringTimeoutMs: 30_000, followForwarding: false }), 1000],
    ["queue (waiting)", (channel) => channel.enqueue({ queueId: "q", maxWaitMs: 60_000, holdPrompt: prompt("Hold on") }), 5000],
    ["voicemail (greeting)", (channel) => channel.voicemail({ mailboxExtension: "105", greeting: prompt("Please leave a message"), maxLengthMs: 30_000 }), 100],
    ["voicemail (recording)", (channel) => channel.voicemail({ mailboxExtension: "105", maxLengthMs: 30_000 }), 100],
  ];

  it.each(operations)("%s", async (_name, operation, hangUpAfterMs) => {
    const { results, start } = run(async (channel) => [await operation(channel), await channel.play(prompt("never heard"))]);
    world.directory.addAgent({ agentId: "a1", userId: null, name: "A", extension: "103" });
    world.directory.addQueue({ id: "q", strategy: "ring_all", maxWaitS: 60, wrapUpS: 0, members: [{ agentId: "a1", extension: "103" }] });
    world.pbx.agentLogin("a1");
    world.pbx.setPhoneBehavior("103", { behavior: "busy" });
    const callId = start();
    await world.advance(hangUpAfterMs);
    expect(results).toEqual([]);
    world.pbx.hangupCall(callId);
    await world.flush();
    expect(results).toEqual([{ status: "hangup" }, { status: "hangup" }]);
    expect(world.finalCdrs()).toHaveLength(1);
    expect(world.pbx.listActiveCalls()).toEqual([]);
    expect(["101", "102", "103"].flatMap((extension) => world.pbx.callsOfExtension(extension))).toEqual([]);
  });

  it("while bridged to an agent", async () => {
    const { results, start } = run(async (channel) => [await channel.dial({ targets: [{ type: "extension", number: "101" }], strategy: "simultaneous", ringTimeoutMs: 30_000, followForwarding: true })]);
    const callId = start();
    await world.flush();
    world.pbx.answerPhone("101");
    world.pbx.hangupCall(callId);
    await world.flush();
    expect(results).toEqual([{ status: "hangup" }]);
    expect(world.pbx.callsOfExtension("101")).toEqual([]);
  });
});

describe("call recording and the flow's own hang-up", () => {
  it("calls answered at a recording extension carry a recording of the talk time", async () => {
    const { start } = run(async (channel) => [await channel.dial({ targets: [{ type: "extension", number: "104" }], strategy: "simultaneous", ringTimeoutMs: 30_000, followForwarding: true })]);
    world.directory.addExtension({ number: "104", userId: "user-104", userName: "Recorded", recordCalls: true });
    start();
    await world.flush();
    world.pbx.answerPhone("104");
    await world.advance(12_500);
    world.pbx.hangupPhone("104");
    await world.flush();
    const [recording] = world.onlyFinalCdr().recordings;
    expect(recording).toMatchObject({ duration_s: 12.5, size_bytes: 44 + 12_500 * 16 });
    expect(fs.statSync(recordingPath(world.recordingsDir, recording.code)).size).toBe(recording.size_bytes);
  });

  it("hangup(cause) from the flow ends the call with that cause; later operations resolve hangup", async () => {
    const { results, start } = run(async (channel) => {
      channel.hangup("closed_hours");
      channel.hangup("again"); // idempotent
      return [await channel.play(prompt("too late"))];
    });
    start();
    await world.flush();
    expect(results).toEqual([{ status: "hangup" }]);
    expect(world.onlyFinalCdr()).toMatchObject({ hangup_cause: "closed_hours", disposition: "cancelled" });
  });

  it("overlapping operations are refused", async () => {
    let error: unknown;
    run(async (channel) => {
      void channel.play(prompt("first"));
      try {
        await channel.play(prompt("second"));
      } catch (caught) {
        error = caught;
      }
      return [];
    });
    world.pbx.placeInboundCall({ from: CUSTOMER, to: DID });
    await world.flush();
    expect(String(error)).toMatch(/already has an operation running/);
  });
});
