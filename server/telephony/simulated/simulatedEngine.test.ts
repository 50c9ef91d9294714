import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { flushPromises, ManualClock } from "@/flows/runtime/testing/manualClock";
import type { EngineEvent } from "../engine";
import { SimulatedEngine } from "./simulatedEngine";

let clock: ManualClock;
let engine: SimulatedEngine;
let events: EngineEvent[];
let dir: string;

beforeEach(() => {
  clock = new ManualClock();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "sim-engine-"));
  engine = new SimulatedEngine({ clock, recordingsDir: dir });
  events = [];
  engine.subscribe((event) => events.push(event));
});

afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const typesFor = (legId: string) => events.filter((event) => "legId" in event && event.legId === legId).map((event) => event.type);
const callerId = { number: "+36301234567", name: null };

describe("originating to a phone", () => {
  it("rings, then answers after answer_after_s; outcome events never fire inside originate()", async () => {
    engine.setPhoneBehavior("101", { behavior: "answer", answer_after_s: 2 });
    const leg = engine.originate({ endpoint: { kind: "extension", extension: "101" }, callerId });
    expect(events).toEqual([]);
    await flushPromises();
    expect(typesFor(leg)).toEqual(["leg.ringing"]);
    clock.advance(1999);
    expect(typesFor(leg)).toEqual(["leg.ringing"]);
    clock.advance(1);
    expect(typesFor(leg)).toEqual(["leg.ringing", "leg.answered"]);
  });

  it.each([
    ["busy", "leg.busy", "user_busy"],
    ["dnd", "leg.busy", "dnd"],
    ["offline", "leg.failed", "offline"],
  ] as const)("a %s phone refuses at once", async (behavior, type, cause) => {
    engine.setPhoneBehavior("101", { behavior });
    const leg = engine.originate({ endpoint: { kind: "extension", extension: "101" }, callerId });
    await flushPromises();
    expect(events).toEqual([{ type, legId: leg, cause }]);
  });

  it("a no_answer phone rings until someone acts; answering and rejecting by hand", async () => {
    engine.setPhoneBehavior("101", { behavior: "no_answer" });
    const first = engine.originate({ endpoint: { kind: "extension", extension: "101" }, callerId });
    await flushPromises();
    clock.advance(3_600_000);
    expect(typesFor(first)).toEqual(["leg.ringing"]);
    expect(engine.answerPhone("101")).toBe(first);
    expect(typesFor(first)).toEqual(["leg.ringing", "leg.answered"]);

    engine.setPhoneBehavior("102", { behavior: "no_answer" });
    const second = engine.originate({ endpoint: { kind: "extension", extension: "102" }, callerId });
    await flushPromises();
    engine.rejectPhone("102");
    expect(typesFor(second)).toEqual(["leg.ringing", "leg.busy"]);
    expect(() => engine.answerPhone("102")).toThrow(/no call is ringing/);
  });

  it("a phone already in a call is busy; auto-answer answers without ringing time", async () => {
    engine.setPhoneBehavior("101", { behavior: "no_answer" });
    const talking = engine.originate({ endpoint: { kind: "extension", extension: "101" }, callerId, autoAnswer: true });
    await flushPromises();
    expect(typesFor(talking)).toEqual(["leg.ringing", "leg.answered"]);
    const second = engine.originate({ endpoint: { kind: "extension", extension: "101" }, callerId });
    await flushPromises();
    expect(typesFor(second)).toEqual(["leg.busy"]);
  });

  it("hangup_after_s makes the far end hang up after talking", async () => {
    engine.setExternalBehavior("+36201111111", { behavior: "answer", answer_after_s: 1, hangup_after_s: 5 });
    const leg = engine.originate({ endpoint: { kind: "external", number: "+36201111111" }, callerId });
    await flushPromises();
    clock.advance(6000);
    expect(typesFor(leg)).toEqual(["leg.ringing", "leg.answered", "leg.hangup"]);
  });

  it("external numbers answer after 3 s by default", async () => {
    const leg = engine.originate({ endpoint: { kind: "external", number: "+36209999999" }, callerId });
    await flushPromises();
    clock.advance(2999);
    expect(typesFor(leg)).toEqual(["leg.ringing"]);
    clock.advance(1);
    expect(typesFor(leg)).toEqual(["leg.ringing", "leg.answered"]);
  });

  it("a hung-up ringing leg never answers and emits nothing", async () => {
    engine.setPhoneBehavior("101", { behavior: "answer", answer_after_s: 1 });
    const leg = engine.originate({ endpoint: { kind: "extension", extension: "101" }, callerId });
    engine.hangup(leg, "originator_cancel");
    await flushPromises();
    clock.advance(5000);
    expect(events).toEqual([]);
  });
});

describe("callers and media", () => {
  it("placeCall offers the leg synchronously; digits and the far-end hang-up arrive as events", () => {
    const leg = engine.placeCall({ from: "+36301234567", to: "+3612345678" });
    expect(events[0]).toEqual({ type: "leg.incoming", legId: leg, from: "+36301234567", to: "+3612345678" });
    engine.pressDigits(leg, "12#");
    expect(events.slice(1).map((event) => (event.type === "dtmf" ? event.digit : event.type))).toEqual(["1", "2", "#"]);
    expect(() => engine.pressDigits(leg, "1x")).toThrow(/not a DTMF digit/);
    engine.hangUpFarEnd(leg);
    expect(events.at(-1)).toEqual({ type: "leg.hangup", legId: leg, cause: "normal_clearing" });
  });

  it("a prompt lasts 60 ms per character, at least 500 ms, and stops on hang-up", async () => {
    const leg = engine.placeCall({ from: "+36301234567", to: "+3612345678" });
    engine.answer(leg);
    let outcome: string | null = null;
    void engine.play(leg, { text: "x".repeat(20), language: "en" }).then((result) => (outcome = result));
    await clock.advanceAsync(1199);
    expect(outcome).toBeNull();
    await clock.advanceAsync(1);
    expect(outcome).toBe("completed");

    let short: string | null = null;
    void engine.play(leg, { text: "hi", language: "en" }).then((result) => (short = result));
    await clock.advanceAsync(499);
    expect(short).toBeNull();
    await clock.advanceAsync(1);
    expect(short).toBe("completed");

    let interrupted: string | null = null;
    void engine.play(leg, { text: "a long announcement", language: "en" }).then((result) => (interrupted = result));
    engine.hangUpFarEnd(leg);
    await flushPromises();
    expect(interrupted).toBe("stopped");
  });

  it("bridging needs answered legs; a recording outlives its leg's hang-up until collected", async () => {
    const caller = engine.placeCall({ from: "+36301234567", to: "+3612345678" });
    engine.setPhoneBehavior("101", { behavior: "answer", answer_after_s: 0 });
    const agent = engine.originate({ endpoint: { kind: "extension", extension: "101" }, callerId });
    expect(() => engine.bridge(caller, agent)).toThrow(/answered/);
    await flushPromises();
    engine.answer(caller);
    engine.bridge(caller, agent);
    engine.startRecording(caller);
    clock.advance(2500);
    engine.hangUpFarEnd(caller);
    clock.advance(10_000);
    const file = engine.stopRecording(caller);
    expect(file?.durationMs).toBe(2500);
    expect(fs.statSync(file!.path).size).toBe(file!.sizeBytes);
    expect(engine.stopRecording(caller)).toBeNull();
  });

  it("transfer and pickup requests come from phones as events", async () => {
    engine.setPhoneBehavior("101", { behavior: "answer", answer_after_s: 0 });
    engine.setPhoneBehavior("102", { behavior: "no_answer" });
    const talking = engine.originate({ endpoint: { kind: "extension", extension: "101" }, callerId });
    const ringing = engine.originate({ endpoint: { kind: "extension", extension: "102" }, callerId });
    await flushPromises();
    engine.transfer("101", { to: "103", mode: "blind" });
    expect(events.at(-1)).toEqual({ type: "transfer.requested", legId: talking, to: "103", mode: "blind" });
    engine.pickup("103", ringing);
    expect(events.at(-1)).toEqual({ type: "pickup.requested", extension: "103", targetLegId: ringing });
    expect(() => engine.pickup("102", ringing)).toThrow(/own ringing call/);
    expect(() => engine.transfer("102", { to: "103", mode: "blind" })).toThrow(/no call in progress/);
  });
});
