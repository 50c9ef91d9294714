import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { FlowDocument } from "@/flows/model/types";
import type { Clock, FlowLoader, IntegrationPort, Logger } from "@/flows/runtime/ports";
import { Pbx } from "../pbx/pbx";
import type { Directory } from "../pbx/directory";
import { sandboxDirectory } from "./sandboxDirectory";
import type { Cdr } from "../pbx/cdr";
import { SimulatedEngine } from "../telephony/simulated/simulatedEngine";
import { LiveCalls, type LiveFlowState } from "./liveCalls";
import { runFlowWithLiveState } from "./flowRunner";

export interface TestCallRequest {
  flowId: string;
  /** The draft being edited: test calls never touch published revisions or real calls. */
  document: FlowDocument;
  callerNumber: string;
  calledNumber: string;
  /** Simulated date and time of the call (ISO 8601): time conditions see this moment. */
  at?: string;
}

export interface TestCallState {
  callId: string;
  status: string;
  ended: boolean;
  disposition: string | null;
  currentNodeId: string | null;
  trace: LiveFlowState["trace"];
  prompts: LiveFlowState["prompts"];
  phones: { extension: string; state: "ringing" | "answered" | "on_hold" }[];
}

interface Outcome {
  finalCdr: Cdr | null;
  endedAt: number | null;
}

interface Session {
  pbx: Pbx;
  live: LiveCalls;
  outcome: Outcome;
  recordingsDir: string;
}

/** A clock running at real speed but shifted to the moment the admin chose. */
function shiftedClock(base: Clock, offsetMs: number): Clock {
  return { now: () => base.now() + offsetMs, setTimeout: (fn, ms) => base.setTimeout(fn, ms), clearTimeout: (h) => base.clearTimeout(h) };
}

export interface TestCallLabOptions {
  clock: Clock;
  directory: Directory;
  integration: () => IntegrationPort;
  flows: FlowLoader;
  logger: Logger;
  /** Extensions whose phones the panel shows. */
  extensions: () => string[];
  /** Lengths of uploaded audio prompts, so a recording lasts as long in a test call as on a real one. */
  audioDurationMs?: (audioId: string) => number | undefined;
  maxSessions?: number;
  keepEndedMs?: number;
}

/**
 * Test calls from the flow editor. Each runs the DRAFT in its own small
 * simulated world (engine + call control), so it never mixes with real calls,
 * writes no CDR and sends no end-of-call data. Phones there ring until the
 * admin answers them in the panel.
 */
export class TestCallLab {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly options: TestCallLabOptions) {}

  start(request: TestCallRequest): { callId: string } {
    this.evictOld();
    const { clock: baseClock, directory, logger } = this.options;
    const offset = request.at ? Date.parse(request.at) - baseClock.now() : 0;
    const clock = shiftedClock(baseClock, Number.isFinite(offset) ? offset : 0);
    const recordingsDir = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-testcall-"));
    const engine = new SimulatedEngine({
      clock,
      recordingsDir,
      isExtension: (number) => directory.extension(number) !== null,
      defaultPhoneBehavior: { behavior: "no_answer" },
      audioDurationMs: this.options.audioDurationMs,
    });
    const live = new LiveCalls(1);
    const outcome: Outcome = { finalCdr: null, endedAt: null };
    const pbx = new Pbx({
      clock,
      engine,
      simulator: engine,
      directory: sandboxDirectory(directory, request.flowId),
      logger,
      sink: (event) => {
        if (event.type === "conversation.ended") {
          outcome.finalCdr = event.cdr;
          outcome.endedAt = baseClock.now();
        }
      },
      startFlow: (channel, call, variables) =>
        runFlowWithLiveState(
          { clock, integration: this.options.integration(), flows: this.options.flows, logger, live },
          channel,
          call,
          { document: request.document, flowId: request.flowId, revision: null },
          variables,
        ),
    });
    const { callId } = pbx.placeInboundCall({ from: request.callerNumber, to: request.calledNumber });
    this.sessions.set(callId, { pbx, live, outcome, recordingsDir });
    return { callId };
  }

  state(callId: string): TestCallState | null {
    const session = this.sessions.get(callId);
    if (!session) return null;
    const call = session.pbx.getCall(callId);
    const live = session.live.get(callId);
    const phones = this.options.extensions().flatMap((extension) =>
      session.pbx.callsOfExtension(extension).map((item) => ({ extension, state: item.status })),
    );
    return {
      callId,
      status: call?.status ?? "ended",
      ended: session.outcome.finalCdr !== null,
      disposition: session.outcome.finalCdr?.disposition ?? null,
      currentNodeId: live?.currentNodeId ?? null,
      trace: live?.trace ?? [],
      prompts: live?.prompts ?? [],
      phones,
    };
  }

  dtmf(callId: string, digits: string): void {
    this.require(callId).pbx.sendDtmf(callId, digits);
  }

  answer(callId: string, extension: string): void {
    this.require(callId).pbx.answerPhone(extension);
  }

  hangup(callId: string): void {
    this.require(callId).pbx.hangupCall(callId);
  }

  private require(callId: string): Session {
    const session = this.sessions.get(callId);
    if (!session) throw new Error(`test call ${callId} is not running`);
    return session;
  }

  /** Bounded memory: finished sessions go after a while, and the oldest go first when too many run. */
  private evictOld(): void {
    const now = this.options.clock.now();
    const keepEndedMs = this.options.keepEndedMs ?? 15 * 60_000;
    const maxSessions = this.options.maxSessions ?? 20;
    for (const [callId, session] of this.sessions) {
      const { endedAt } = session.outcome;
      const expired = endedAt !== null && now - endedAt > keepEndedMs;
      if (expired || this.sessions.size >= maxSessions) this.dispose(callId, session);
    }
  }

  private dispose(callId: string, session: Session): void {
    session.pbx.shutdown();
    fs.rmSync(session.recordingsDir, { recursive: true, force: true });
    this.sessions.delete(callId);
  }
}
