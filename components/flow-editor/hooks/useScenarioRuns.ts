"use client";
/**
 * Running the flow's saved scenarios from the editor: the draft is saved
 * first (the server runs what is saved), then `flows.runScenarios` runs all
 * of them or one. Results are kept per scenario with the scenario as it was
 * run, so the panel can tell when one was edited since. Lives in the
 * session, so results survive switching tabs.
 */
import { useState } from "react";
import { useMutation } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/api/root";
import type { TestScenario } from "@/flows/scenarios/schema";
import { useTRPC } from "../../trpc";

export type FlowTestReport = inferRouterOutputs<AppRouter>["flows"]["runScenarios"];
export type ScenarioRunResult = FlowTestReport["results"][number];

export interface ScenarioRun {
  /** The scenario object that ran (the editor replaces a scenario's object on every edit). */
  scenario: TestScenario;
  result: ScenarioRunResult;
}

export type RunProblem = "notSaved" | "failed";

export function useScenarioRuns(flowId: string, saveDraft: () => Promise<boolean>) {
  const trpc = useTRPC();
  const run = useMutation(trpc.flows.runScenarios.mutationOptions());
  const [runs, setRuns] = useState<ReadonlyMap<number, ScenarioRun>>(new Map());
  const [running, setRunning] = useState<"all" | number | null>(null);
  const [problem, setProblem] = useState<RunProblem | null>(null);
  const [invalid, setInvalid] = useState<string[] | null>(null);
  /** The scenario whose actual path the canvas shows. */
  const [highlighted, setHighlighted] = useState<number | null>(null);
  const [open, setOpen] = useState<number | null>(null);

  /** Runs every scenario (`which` unset) or the one at that index of `scenarios`, the list as the editor holds it. */
  async function start(scenarios: readonly TestScenario[], which?: number) {
    setProblem(null);
    setInvalid(null);
    setRunning(which ?? "all");
    try {
      if (!(await saveDraft())) return setProblem("notSaved");
      const report = await run.mutateAsync({ id: flowId, ...(which === undefined ? {} : { scenario: which }) });
      if (report.invalid) return setInvalid(report.invalid);
      setRuns((previous) => {
        const next = new Map(which === undefined ? [] : previous);
        report.results.forEach((result, i) => {
          const index = which ?? i;
          if (scenarios[index]) next.set(index, { scenario: scenarios[index], result });
        });
        return next;
      });
      // A failure shows itself on the canvas; a pass clears an older highlight.
      const firstFailed = report.results.findIndex((result) => !result.passed);
      setHighlighted(firstFailed === -1 ? null : (which ?? firstFailed));
    } catch {
      setProblem("failed");
    } finally {
      setRunning(null);
    }
  }

  /** Keeps results and the open form attached to the right scenarios when one is removed or inserted. */
  function shift(from: number, by: 1 | -1) {
    const move = (index: number | null) => (index === null || index < from ? index : by === -1 && index === from ? null : index + by);
    setRuns((previous) => {
      const next = new Map<number, ScenarioRun>();
      for (const [index, value] of previous) {
        const moved = move(index);
        if (moved !== null) next.set(moved, value);
      }
      return next;
    });
    setHighlighted(move);
    setOpen(move);
  }

  return { runs, running, problem, invalid, highlighted, setHighlighted, open, setOpen, start, shift };
}

export type ScenarioRunsSession = ReturnType<typeof useScenarioRuns>;
