/**
 * Test and bench only: a load run through the whole SIP path. sipp is the
 * trunk (load-caller.xml) placing `rate` calls a second for `seconds`
 * seconds into the SIP edge, call control (Pbx) and the flow interpreter;
 * with the menu flow, digit 1 dials the caller's own extension (each call
 * its own, as phones are single-line), answered by a PhoneFarm phone that
 * hangs up `holdMs` later. The run counts what must hold for every call:
 * sipp saw it succeed, call control started it once and wrote exactly one
 * final CDR, and the flow took the expected path.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import readline from "node:readline";
import { systemClock } from "@/flows/runtime/clock";
import type { FlowRunResult } from "@/flows/runtime/context";
import { runFlow } from "@/flows/runtime/interpreter";
import { InMemoryIntegration } from "@/flows/runtime/testing/inMemoryIntegration";
import { InMemoryFlowLoader, sketchFlow } from "@/flows/runtime/testing/testRuntime";
import { InMemoryDirectory } from "@/server/pbx/directory";
import { Pbx } from "@/server/pbx/pbx";
import { PromptAudio } from "../prompts";
import { SipEngine } from "../sipEngine";
import { loadPassword, PhoneFarm, type PhoneFarmCounts } from "./phoneFarm";

export const LOAD_CALLER_SCENARIO = path.join(__dirname, "load-caller.xml");
const FARM_PROCESS = path.join(__dirname, "phoneFarmProcess.ts");
const DID = "+3612345000";
const GOODBYE = "Thank you for calling Switchboard. Goodbye.";
const MENU = "Welcome to Switchboard. For sales, press 1.";
const FIRST_EXTENSION = 2000;
const silent = { debug() {}, info() {}, warn() {}, error() {} };

export type LoadFlow = "play" | "menu_to_extension";

export const LOAD_FLOWS: Record<LoadFlow, ReturnType<typeof sketchFlow>> = {
  play: sketchFlow(
    [
      { id: "start", type: "start" },
      { id: "goodbye", type: "play", config: { text: GOODBYE } },
      { id: "bye", type: "hangup" },
    ],
    ["start:next -> goodbye", "goodbye:next -> bye"],
  ),
  menu_to_extension: sketchFlow(
    [
      { id: "start", type: "start" },
      { id: "menu", type: "menu", config: { prompt: MENU, options: ["1"], timeout_s: 5, max_retries: 0, invalid_prompt: "Sorry." } },
      // The caller's number ends in their own extension (see callerNumbers).
      { id: "dial", type: "dial_extension", config: { extension: "{{ call.caller.number | last_digits: 4 }}", ring_timeout_s: 20 } },
      { id: "bye", type: "hangup" },
    ],
    ["start:next -> menu", "menu:1 -> dial", "menu:timeout -> bye", "menu:invalid -> bye", "dial:answered -> bye", "dial:no_answer -> bye", "dial:busy -> bye", "dial:failed -> bye"],
  ),
};

/** The path each flow must take for a call to count as served. */
const EXPECTED_TRACE: Record<LoadFlow, string[]> = {
  play: ["start:next", "goodbye:next", "bye"],
  menu_to_extension: ["start:next", "menu:1", "dial:answered", "bye"],
};

export interface LoadOptions {
  flow: LoadFlow;
  rate: number;
  seconds: number;
  /** How long a phone talks before it hangs up (menu flow). */
  holdMs?: number;
  /** "child": the phones run in their own process, so this process's CPU is the edge's alone (the bench). */
  phones?: "here" | "child";
}

export interface LoadResult {
  flow: LoadFlow;
  rate: number;
  seconds: number;
  sippExitCode: number | null;
  sippStderr: string;
  sippSuccessful: number;
  sippFailed: number;
  callsStarted: number;
  /** Calls whose final CDR count is not exactly one. */
  callsWithoutOneFinalCdr: number;
  /** Finished runs whose trace is not the expected path. */
  callsOffPath: number;
  answeredByPhone: number;
  maxConcurrentCalls: number;
  cpuMsPerCall: number;
  eventLoopDelayP99Ms: number;
  phones: PhoneFarmCounts | null;
}

/** The calls that failed in any way (sipp, CDRs, flow path); 0 means every call was served. */
export function failedCalls(result: LoadResult): number {
  const expected = result.rate * result.seconds;
  return Math.max(result.sippFailed, expected - result.sippSuccessful, expected - result.callsStarted, result.callsWithoutOneFinalCdr, result.callsOffPath, result.sippExitCode === 0 ? 0 : 1);
}

export async function runSipLoad(options: LoadOptions): Promise<LoadResult> {
  const { flow, rate, seconds } = options;
  const total = rate * seconds;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sip-load-"));
  // Each extension is reused only after every other one was, well after its last call ended.
  const extensions = Array.from({ length: Math.min(5000, Math.max(100, rate * 15)) }, (_, i) => String(FIRST_EXTENSION + i));
  // Undone in reverse, also when something fails half-way (a phone that cannot register, sipp missing a file).
  const cleanups: (() => unknown)[] = [() => fs.rmSync(dir, { recursive: true, force: true })];
  try {
    const prompts = new PromptAudio({ cacheDir: path.join(dir, "prompts"), recordingFile: () => undefined, logger: silent });
    await Promise.all([GOODBYE, MENU].map((text) => prompts.pcm({ text, language: "en" })));
    const engine = await SipEngine.start({
      clock: systemClock,
      logger: silent,
      listen: { address: "127.0.0.1", port: 0 },
      trustedPeers: ["127.0.0.1"],
      prompts,
      maxCalls: 5000,
      registrar: { realm: "switchboard", nonceSecret: Buffer.from("load"), password: (extension) => (extensions.includes(extension) ? loadPassword(extension) : null) },
    });
    cleanups.push(() => engine.close());
    const directory = new InMemoryDirectory().addNumber(DID, "load");
    for (const number of extensions) directory.addExtension({ number, userId: `user-${number}`, userName: `User ${number}` });

    const finals = new Map<string, number>();
    let started = 0;
    let live = 0;
    let maxLive = 0;
    let answeredByPhone = 0;
    let offPath = 0;
    const expected = EXPECTED_TRACE[flow].join(" ");
    const pbx: Pbx = new Pbx({
      clock: systemClock,
      engine,
      directory,
      logger: silent,
      sink: (event) => {
        if (event.type === "call.started") {
          started++;
          maxLive = Math.max(maxLive, ++live);
        }
        if (event.type === "conversation.ended") {
          live--;
          finals.set(event.cdr.call_id, (finals.get(event.cdr.call_id) ?? 0) + 1);
          if (event.cdr.answered_by?.extension) answeredByPhone++;
        }
      },
      startFlow: async (channel, call, variables) => {
        const context = { clock: systemClock, integration: new InMemoryIntegration({ clock: systemClock }), flows: new InMemoryFlowLoader(), logger: silent };
        const run: FlowRunResult = await runFlow(context, channel, LOAD_FLOWS[flow], call, { variables });
        if (run.trace.map((step) => (step.branch ? `${step.node_id}:${step.branch}` : step.node_id)).join(" ") !== expected) offPath++;
      },
    });

    cleanups.push(() => pbx.shutdown());
    const phones = flow === "menu_to_extension" ? await openPhones(options.phones ?? "here", engine.local.port, options.holdMs ?? 3000, extensions) : null;
    if (phones) cleanups.push(() => phones.close());
    const injection = path.join(dir, "callers.csv");
    fs.writeFileSync(injection, ["SEQUENTIAL", ...extensions.map((extension) => `+3630000${extension};`)].join("\n") + "\n");

    const loopDelay = monitorEventLoopDelay({ resolution: 1 });
    loopDelay.enable();
    const cpuBefore = process.cpuUsage();
    const sipp = await runSippLoad({ edgePort: engine.local.port, rate, total, seconds, injection, cwd: dir });
    // Calls sipp gave up on still end at the edge (no ACK, BYE timers): wait, bounded, for their final CDRs.
    const until = Date.now() + 15_000;
    while (live > 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
    const cpu = process.cpuUsage(cpuBefore);
    loopDelay.disable();

    const phoneCounts = phones ? await phones.close() : null;
    return {
      flow,
      rate,
      seconds,
      sippExitCode: sipp.code,
      sippStderr: sipp.stderr.slice(-4000),
      sippSuccessful: sipp.successful,
      sippFailed: sipp.failed,
      callsStarted: started,
      callsWithoutOneFinalCdr: started - [...finals.values()].filter((count) => count === 1).length,
      callsOffPath: offPath,
      answeredByPhone,
      maxConcurrentCalls: maxLive,
      cpuMsPerCall: Math.round(((cpu.user + cpu.system) / 1000 / Math.max(1, started)) * 100) / 100,
      eventLoopDelayP99Ms: Math.round(loopDelay.percentile(99) / 1e4) / 100,
      phones: phoneCounts,
    };
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
  }
}

/** sipp as the trunk; resolves with its exit code and its final count of successful and failed calls. */
function runSippLoad(options: { edgePort: number; rate: number; total: number; seconds: number; injection: string; cwd: string }) {
  const statFile = path.join(options.cwd, "stat.csv");
  const errorFile = path.join(options.cwd, "errors.log");
  const args = [
    "-sf", LOAD_CALLER_SCENARIO, "-inf", options.injection, "-s", DID,
    "-r", String(options.rate), "-m", String(options.total), "-l", "5000",
    "-i", "127.0.0.1", "-p", "0", "-nostdin",
    "-timeout", `${options.seconds + 60}s`, "-timeout_error", "-recv_timeout", "30000",
    "-trace_stat", "-stf", statFile, "-fd", "1", "-trace_err", "-error_file", errorFile,
    `127.0.0.1:${options.edgePort}`,
  ];
  const sipp = spawn("sipp", args, { cwd: options.cwd, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  sipp.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise<{ code: number | null; stderr: string; successful: number; failed: number }>((resolve) =>
    sipp.on("exit", (code) => {
      const stats = lastStatLine(statFile);
      // What went wrong, if anything: sipp's own error log (unexpected messages, timeouts) says which calls and why.
      if (fs.existsSync(errorFile)) stderr += fs.readFileSync(errorFile, "utf8").slice(0, 3000);
      resolve({ code, stderr, successful: stats.get("SuccessfulCall(C)") ?? 0, failed: stats.get("FailedCall(C)") ?? 0 });
    }),
  );
}

function lastStatLine(file: string): Map<string, number> {
  if (!fs.existsSync(file)) return new Map();
  const lines = fs.readFileSync(file, "utf8").trim().split("\n");
  const names = lines[0].split(";");
  const values = lines.at(-1)!.split(";");
  return new Map(names.map((name, i) => [name, Number(values[i])]));
}

/** The phones for every extension, registered, here or in a child process; `close` returns what they counted. */
async function openPhones(where: "here" | "child", edgePort: number, holdMs: number, extensions: string[]): Promise<{ close(): Promise<PhoneFarmCounts> }> {
  if (where === "here") {
    const farm = await PhoneFarm.open({ port: edgePort }, { holdMs });
    await farm.register(extensions, loadPassword);
    return once(async () => (await farm.close(), farm.counts));
  }
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", FARM_PROCESS, String(edgePort), String(holdMs), extensions[0], String(extensions.length)], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = readline.createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const first = await lines.next();
  if (first.value !== "registered") throw new Error(`the phone farm did not register: ${String(first.value)}`);
  return once(async () => {
    child.stdin!.end();
    const counts = await lines.next();
    return JSON.parse(String(counts.value)) as PhoneFarmCounts;
  });
}

/** `close` may be called by the run and again by its clean-up: the second call gets the first's result. */
function once(close: () => Promise<PhoneFarmCounts>): { close(): Promise<PhoneFarmCounts> } {
  let closing: Promise<PhoneFarmCounts> | null = null;
  return { close: () => (closing ??= close()) };
}
