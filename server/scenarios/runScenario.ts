import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { FlowDocument } from "@/flows/model/types";
import type { FlowLoader, IntegrationPort, Logger, LookupResult } from "@/flows/runtime/ports";
import type { TestScenario } from "@/flows/scenarios/schema";
import { type ExpectationCheck, type ScenarioOutcome, checkExpectations, describeFailure } from "@/flows/scenarios/expectations";
// The manual clock drives simulated time: a scenario of minutes runs in milliseconds.
import { ManualClock } from "@/flows/runtime/testing/manualClock";
import { Pbx } from "../pbx/pbx";
import type { Directory } from "../pbx/directory";
import type { Cdr } from "../pbx/cdr";
import { SimulatedEngine } from "../telephony/simulated/simulatedEngine";
import { LiveCalls } from "../runtime/liveCalls";
import { runFlowWithLiveState } from "../runtime/flowRunner";
import { sandboxDirectory } from "../runtime/sandboxDirectory";

export interface ScenarioResult extends ScenarioOutcome {
  name: string;
  passed: boolean;
  /** The failed checks (and a call that never ended) in English, for the CLI. */
  failures: string[];
  /** One verdict per expectation, passed or not, with expected and actual. */
  checks: ExpectationCheck[];
}

export interface ScenarioContext {
  directory: Directory;
  flows: FlowLoader;
  logger: Logger;
}

/** Simulated time a scenario may take before it counts as stuck. */
const MAX_SIMULATED_MS = 2 * 60 * 60_000;
const DEFAULT_PHONE = { behavior: "answer", answer_after_s: 2, hangup_after_s: 30 } as const;

/** The CRM as the scenario describes it; `timeout` never answers, so the flow's own deadline decides. */
function mockedIntegration(lookups: TestScenario["lookups"]): IntegrationPort {
  return {
    lookup: ({ outboundApiId }) => {
      const reply = lookups?.[outboundApiId];
      if (!reply) return Promise.resolve<LookupResult>({ status: "error", error: `no mocked reply for ${outboundApiId}` });
      if (reply.status === "timeout") return new Promise<LookupResult>(() => {});
      if (reply.status === "error") return Promise.resolve<LookupResult>({ status: "error", error: "mocked error" });
      return Promise.resolve<LookupResult>(reply);
    },
    notify: async () => {},
    sendCallData: async () => {},
  };
}

/**
 * Runs one saved scenario against the simulated PBX with the flow document
 * given (a draft, a file or a revision), in simulated time, and checks its
 * expectations.
 */
export async function runScenario(document: FlowDocument, flowId: string, scenario: TestScenario, context: ScenarioContext): Promise<ScenarioResult> {
  const clock = new ManualClock(scenario.at ? Date.parse(scenario.at) : Date.now());
  const recordingsDir = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-scenario-"));
  const engine = new SimulatedEngine({
    clock,
    recordingsDir,
    isExtension: (number) => context.directory.extension(number) !== null,
    defaultPhoneBehavior: DEFAULT_PHONE,
  });
  for (const [extension, behavior] of Object.entries(scenario.phones ?? {})) {
    engine.setPhoneBehavior(extension, { hangup_after_s: DEFAULT_PHONE.hangup_after_s, ...behavior });
  }
  const live = new LiveCalls(1);
  const pendingKeys = [...(scenario.dtmf ?? [])];
  let finalCdr: Cdr | null = null;
  const pbx = new Pbx({
    clock,
    engine,
    simulator: engine,
    directory: sandboxDirectory(context.directory, flowId),
    logger: context.logger,
    sink: (event) => {
      if (event.type === "conversation.ended") finalCdr = event.cdr;
    },
    startFlow: (channel, call, variables) =>
      runFlowWithLiveState(
        {
          clock,
          integration: mockedIntegration(scenario.lookups),
          flows: context.flows,
          logger: context.logger,
          live,
          onNodeEntered: (callId, nodeId) => {
            if (pendingKeys[0]?.node_id !== nodeId) return;
            const { digits } = pendingKeys.shift()!;
            // Pressed while the prompt plays, like a caller who knows the menu.
            clock.setTimeout(() => pbx.sendDtmf(callId, digits), 300);
          },
        },
        channel,
        call,
        { document, flowId, revision: null },
        variables,
      ),
  });
  try {
    const { callId } = pbx.placeInboundCall({ from: scenario.caller, to: scenario.called_number });
    if (scenario.caller_hangs_up_after_s) clock.setTimeout(() => pbx.hangupCall(callId), scenario.caller_hangs_up_after_s * 1000);
    for (let elapsed = 0; finalCdr === null && elapsed < MAX_SIMULATED_MS; elapsed += 1_000) await clock.advanceAsync(1_000);
    const state = live.get(callId);
    return judge(scenario, finalCdr, state?.trace.map((step) => step.node_id) ?? [], state?.variables ?? {});
  } finally {
    pbx.shutdown();
    fs.rmSync(recordingsDir, { recursive: true, force: true });
  }
}

function judge(scenario: TestScenario, cdr: Cdr | null, visited: string[], variables: Record<string, unknown>): ScenarioResult {
  const outcome: ScenarioOutcome = { ended: cdr !== null, path: visited, disposition: cdr?.disposition ?? null, answeredBy: cdr?.answered_by?.extension ?? null, variables };
  const checks = checkExpectations(scenario.expect, outcome);
  const failures = checks.filter((check) => !check.passed).map(describeFailure);
  if (!cdr) failures.unshift(`the call did not end within ${MAX_SIMULATED_MS / 60_000} simulated minutes`);
  return { name: scenario.name, passed: failures.length === 0, failures, checks, ...outcome };
}

/** Runs every scenario the document carries (or only the one at `only`), one after another. */
export async function runScenarios(document: FlowDocument, flowId: string, context: ScenarioContext, only?: number): Promise<ScenarioResult[]> {
  const scenarios = document.test_scenarios ?? [];
  const chosen = only === undefined ? scenarios : scenarios.slice(only, only + 1);
  const results: ScenarioResult[] = [];
  for (const scenario of chosen) results.push(await runScenario(document, flowId, scenario, context));
  return results;
}
