/**
 * Everything a request asks of a call runtime, by name — so the request can be
 * served by whichever process runs the call (server/runtime/README.md,
 * "Several processes"). Each command says where it must run (`route`) and what
 * it does on the runtime that runs it (`run`); `callRouting.ts` decides whether
 * that is this process or another one, and handlers only name the command.
 * Inputs and outputs are plain JSON: they may cross processes.
 */
import type { Db } from "../db/client";
import type { Runtime } from "./runtime";
import * as simulator from "../services/simulator";
import * as calls from "../services/calls";
import { agentAction, setUserIsAgent } from "../services/callCentre";
import type { Actor, AgentActionInput } from "@/lib/schemas/operations";
import type { EndpointBehavior, TransferMode } from "../telephony/engine";
import type { TestCallRequest } from "./testCalls";

/**
 * - `new`: starts a call — this process's runtime, else any live one;
 * - `call` / `extension`: the runtime that has that call, or a call at that extension;
 * - `any`: state every runtime holds alike (agents: one runtime per deployment today);
 * - `every`: all live runtimes, answers combined by `merge`.
 * Reads of live state that every process can make from the database (the agent board, the live calls list:
 * server/live) are not commands.
 */
export type CommandRoute =
  | { kind: "new" }
  | { kind: "call"; callId: string }
  | { kind: "extension"; extension: string }
  | { kind: "any" }
  | { kind: "every" };

export interface RuntimeCommand<Input, Output> {
  route(input: NoInfer<Input>): CommandRoute;
  run(runtime: Runtime, db: Db, input: Input): Output | Promise<Output>;
  /** `every`: one answer from the runtimes' answers. */
  merge?(answers: Output[]): Output;
  /** `call`: the answer when no runtime has the call (ended, or its runtime gone), from the database. */
  withoutOwner?(db: Db, input: Input): Promise<Output>;
}

const command = <Input, Output>(definition: RuntimeCommand<Input, Output>) => definition;
const NEW = { kind: "new" } as const;
const ANY = { kind: "any" } as const;
const EVERY = { kind: "every" } as const;
const byCall = ({ callId }: { callId: string }): CommandRoute => ({ kind: "call", callId });
const byExtension = ({ extension }: { extension: string }): CommandRoute => ({ kind: "extension", extension });

export const runtimeCommands = {
  // The simulator (API.md /simulator/...).
  placeSimulatedCall: command({ route: () => NEW, run: (runtime, _db, input: { from: string; to: string }) => simulator.placeSimulatedCall(runtime, input) }),
  getSimulatedCall: command({
    route: byCall,
    run: (runtime, db, { callId }: { callId: string }) => simulator.getSimulatedCall(db, runtime, callId),
    withoutOwner: (db, { callId }) => simulator.getSimulatedCall(db, null, callId),
  }),
  pressDigits: command({ route: byCall, run: (runtime, _db, input: { callId: string; digits: string }) => simulator.pressDigits(runtime, input.callId, input.digits) }),
  hangUpCaller: command({ route: byCall, run: (runtime, _db, { callId }: { callId: string }) => simulator.hangUpCaller(runtime, callId) }),
  // Every runtime's simulated world has its own phones: each must know how the phone behaves.
  setPhoneBehavior: command({
    route: () => EVERY,
    run: (runtime, _db, input: { extension: string; behavior: EndpointBehavior }) => simulator.setPhoneBehavior(runtime, input.extension, input.behavior),
    merge: () => undefined,
  }),
  answerPhone: command({ route: byExtension, run: (runtime, _db, { extension }: { extension: string }) => simulator.answerPhone(runtime, extension) }),
  hangUpPhone: command({ route: byExtension, run: (runtime, _db, { extension }: { extension: string }) => simulator.hangUpPhone(runtime, extension) }),
  transferFromPhone: command({
    route: byExtension,
    run: (runtime, _db, input: { extension: string; to: string; mode: TransferMode }) => simulator.transferFromPhone(runtime, input.extension, input),
  }),

  // Calls (API.md /calls, /ivr-calls, /extensions/{ext}/calls).
  clickToCall: command({ route: () => NEW, run: (runtime, _db, input: calls.ClickToCallInput) => calls.startClickToCall(runtime, input) }),
  startIvrCall: command({ route: () => NEW, run: (runtime, db, input: calls.IvrCallInput) => calls.startIvrCall(db, runtime, input) }),
  getCall: command({
    route: byCall,
    run: (runtime, db, { callId }: { callId: string }) => calls.getCall(db, runtime, callId),
    withoutOwner: (db, { callId }) => calls.getCall(db, null, callId),
  }),
  callsOfExtension: command({ route: byExtension, run: (runtime, _db, { extension }: { extension: string }) => calls.callsOfExtension(runtime, extension) }),

  // The call centre's agents (live state in the runtime).
  agentStates: command({ route: () => ANY, run: (runtime) => runtime.pbx.agentStates() }),
  agentAction: command({ route: () => ANY, run: (runtime, db, input: { actor: Actor; action: AgentActionInput }) => agentAction(db, runtime.pbx, input.actor, input.action) }),
  setUserIsAgent: command({ route: () => ANY, run: (runtime, db, input: { userId: string; isAgent: boolean }) => setUserIsAgent(db, runtime.pbx, input.userId, input.isAgent) }),

  // The flow editor's test calls (each lives in the runtime that started it).
  testCallStart: command({ route: () => NEW, run: (runtime, _db, request: TestCallRequest) => runtime.testCalls.start(request) }),
  testCallState: command({ route: byCall, run: (runtime, _db, { callId }: { callId: string }) => runtime.testCalls.state(callId), withoutOwner: async () => null }),
  testCallDtmf: command({ route: byCall, run: (runtime, _db, input: { callId: string; digits: string }) => runtime.testCalls.dtmf(input.callId, input.digits) }),
  testCallAnswer: command({ route: byCall, run: (runtime, _db, input: { callId: string; extension: string }) => runtime.testCalls.answer(input.callId, input.extension) }),
  testCallHangup: command({ route: byCall, run: (runtime, _db, { callId }: { callId: string }) => runtime.testCalls.hangup(callId) }),
};

export type RuntimeCommands = typeof runtimeCommands;
export type CommandName = keyof RuntimeCommands;
export type CommandInput<N extends CommandName> = Parameters<RuntimeCommands[N]["run"]>[2];
export type CommandOutput<N extends CommandName> = Awaited<ReturnType<RuntimeCommands[N]["run"]>>;

/** Whether `runtime` is where a `call` or `extension` command belongs. */
export function runtimeHas(runtime: Runtime, route: CommandRoute): boolean {
  if (route.kind === "call") return runtime.pbx.getCall(route.callId) !== null || runtime.testCalls.state(route.callId) !== null;
  if (route.kind === "extension") return runtime.pbx.callsOfExtension(route.extension).length > 0;
  return true;
}
