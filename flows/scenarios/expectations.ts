/**
 * Judging a scenario's expectations against what the simulated call did, one
 * check per expectation (path, disposition, answered by, each variable) with
 * expected and actual side by side. Pure, so the server's runner, the CLI
 * report and the editor's scenario panel read the same verdicts.
 */
import type { TestScenario } from "./schema";

/** What a scenario's call did, as far as expectations can ask. */
export interface ScenarioOutcome {
  /** False when the call was still going at the simulation's limit. */
  ended: boolean;
  path: string[];
  disposition: string | null;
  answeredBy: string | null;
  variables: Record<string, unknown>;
}

export type ExpectationCheck =
  | { kind: "path"; passed: boolean; expected: string[]; actual: string[] }
  | { kind: "disposition"; passed: boolean; expected: string; actual: string | null }
  | { kind: "answered_by"; passed: boolean; expected: string; actual: string | null }
  | { kind: "variable"; name: string; passed: boolean; expected: unknown; actual: unknown };

/** Structural equality of JSON-like values (what variables hold); key order does not matter. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => sameValue(item, b[i]));
  const left = Object.entries(a as Record<string, unknown>).filter(([, v]) => v !== undefined);
  const right = b as Record<string, unknown>;
  const rightKeys = Object.keys(right).filter((key) => right[key] !== undefined);
  return left.length === rightKeys.length && left.every(([key, value]) => key in right && sameValue(value, right[key]));
}

/** Index of the first step where two paths part (the shorter one's length when one is the other's beginning); -1 when equal. */
export function firstDifference(expected: readonly string[], actual: readonly string[]): number {
  const length = Math.max(expected.length, actual.length);
  for (let i = 0; i < length; i++) if (expected[i] !== actual[i]) return i;
  return -1;
}

/** One check per expectation the scenario states, in a stable order: path, disposition, answered by, variables. */
export function checkExpectations(expect: TestScenario["expect"], outcome: ScenarioOutcome): ExpectationCheck[] {
  const checks: ExpectationCheck[] = [];
  if (expect.path) {
    checks.push({ kind: "path", passed: firstDifference(expect.path, outcome.path) === -1, expected: expect.path, actual: outcome.path });
  }
  if (expect.disposition) {
    checks.push({ kind: "disposition", passed: outcome.disposition === expect.disposition, expected: expect.disposition, actual: outcome.disposition });
  }
  if (expect.answered_by) {
    checks.push({ kind: "answered_by", passed: outcome.answeredBy === expect.answered_by, expected: expect.answered_by, actual: outcome.answeredBy });
  }
  for (const [name, value] of Object.entries(expect.variables ?? {})) {
    checks.push({ kind: "variable", name, passed: sameValue(value, outcome.variables[name]), expected: value, actual: outcome.variables[name] });
  }
  return checks;
}

/** A failed check in one English line, for the CLI report and logs. */
export function describeFailure(check: ExpectationCheck): string {
  switch (check.kind) {
    case "path":
      return `path: expected ${check.expected.join(" → ")}, the call went ${check.actual.join(" → ") || "nowhere"}`;
    case "disposition":
      return `disposition: expected ${check.expected}, got ${check.actual ?? "none"}`;
    case "answered_by":
      return `answered by: expected ${check.expected}, got ${check.actual ?? "nobody"}`;
    case "variable":
      return `variable ${check.name}: expected ${JSON.stringify(check.expected)}, got ${JSON.stringify(check.actual)}`;
  }
}
