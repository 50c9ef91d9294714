/**
 * The whole inbound path on a real call: sipp (the trunk) → SipEngine →
 * call control (Pbx) → the flow interpreter → the final CDR. The same
 * classes the simulated engine drives, with nothing simulated between the
 * caller's key press and the flow's menu branch. (The last tests need no
 * sipp: a TypeScript trunk is enough for a spoofed extension number and for
 * what a dialling flow does while the edge cannot call out.)
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { systemClock } from "@/flows/runtime/clock";
import type { FlowRunResult } from "@/flows/runtime/context";
import { runFlow } from "@/flows/runtime/interpreter";
import { InMemoryIntegration } from "@/flows/runtime/testing/inMemoryIntegration";
import { MemoryLogger } from "@/flows/runtime/testing/memoryLogger";
import { InMemoryFlowLoader, sketchFlow } from "@/flows/runtime/testing/testRuntime";
import { InMemoryDirectory } from "@/server/pbx/directory";
import type { PbxEvent } from "@/server/pbx/events";
import { Pbx } from "@/server/pbx/pbx";
import { PromptAudio } from "./prompts";
import { SipEngine } from "./sipEngine";
import { missingSippTools, runSipp, SIPP_SKIP_MESSAGE } from "./testing/sipp";
import { inviteText, SipTestPeer, UdpPeer } from "./testing/sipTestPeer";

const missing = missingSippTools();
if (missing.length > 0) console.warn(SIPP_SKIP_MESSAGE(missing));

const DID = "+3612345000";
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
  engine = await SipEngine.start({ clock: systemClock, logger, listen: { address: "127.0.0.1", port: 0 }, trustedPeers: ["127.0.0.1"], prompts });
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
  });
});

function pbxOver(directory: InMemoryDirectory, events: PbxEvent[], runs: FlowRunResult[], document = flow): Pbx {
  return new Pbx({
    clock: systemClock,
    engine,
    directory,
    sink: (event) => events.push(event),
    logger,
    startFlow: async (channel, call, variables) => {
      const context = { clock: systemClock, integration: new InMemoryIntegration({ clock: systemClock }), flows: new InMemoryFlowLoader(), logger };
      runs.push(await runFlow(context, channel, document, call, { variables }));
    },
  });
}

describe("stage 1 limits, over a TypeScript trunk", () => {
  it("a flow that dials fails at the dial node with the edge's clear error; the caller gets 480 and the call one final CDR", async () => {
    const dialling = sketchFlow(
      [
        { id: "start", type: "start" },
        { id: "dial", type: "dial_extension", config: { extension: "101", ring_timeout_s: 20 } },
        { id: "bye", type: "hangup" },
      ],
      ["start:next -> dial", "dial:answered -> bye", "dial:no_answer -> bye", "dial:busy -> bye", "dial:failed -> bye"],
    );
    const directory = new InMemoryDirectory();
    directory.addExtension({ number: "101", userId: "user-101", userName: "User 101" });
    directory.addNumber(DID, "main");
    const events: PbxEvent[] = [];
    const runs: FlowRunResult[] = [];
    const pbx = pbxOver(directory, events, runs, dialling);
    const trunk = await SipTestPeer.open();
    try {
      trunk.send(inviteText(trunk.local, engine.local, { callId: "dialling", to: DID }), engine.local);
      await trunk.until((peer) => peer.responses("INVITE").some((response) => response.status >= 200));
      expect(trunk.responses("INVITE").at(-1)?.status).toBe(480);
      await expect.poll(() => runs.length).toBe(1);
      expect(runs[0]).toMatchObject({ outcome: "failed", reason: "executor_error" });
      expect(runs[0].trace.at(-1)?.error).toMatch(/not yet supported by the SIP edge/);
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
