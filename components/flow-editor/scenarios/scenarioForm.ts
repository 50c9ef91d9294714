/**
 * The scenario forms' side of saved test scenarios: edits of the document's
 * `test_scenarios` list (each one goes through `editor.apply`, so undo and
 * autosave cover it), the simulated moment in the flow's time zone, the
 * nodes and look-ups a form offers, and field messages from the zod schema.
 */
import { type TestScenario, testScenarioSchema } from "@/flows/scenarios/schema";
import type { EditorDocument } from "../editorDocument";

export type Scenario = TestScenario;
export type ScenarioExpect = TestScenario["expect"];
export type PhoneBehavior = NonNullable<TestScenario["phones"]>[string];
export type MockedReply = NonNullable<TestScenario["lookups"]>[string];

/** Node types where the caller presses keys. */
export const KEY_NODE_TYPES: ReadonlySet<string> = new Set(["menu", "collect_digits"]);
const DEFAULT_TIME_ZONE = "Europe/Budapest";

export function scenariosOf(document: EditorDocument): Scenario[] {
  return document.test_scenarios ?? [];
}

/** Without scenarios the key is left out, so a document that never had any stays identical. */
function withScenarios(document: EditorDocument, scenarios: Scenario[]): EditorDocument {
  const next: EditorDocument = { ...document, test_scenarios: scenarios };
  if (scenarios.length === 0) delete next.test_scenarios;
  return next;
}

export function uniqueScenarioName(base: string, taken: readonly string[]): string {
  const names = new Set(taken);
  if (!names.has(base)) return base;
  for (let n = 2; ; n++) if (!names.has(`${base} ${n}`)) return `${base} ${n}`;
}

/** Drops optional parts left empty by the form (no phones, no keys, no variables…), so the saved scenario stays minimal. */
export function tidyScenario(scenario: Scenario): Scenario {
  const next: Scenario = { ...scenario, expect: { ...scenario.expect } };
  if (next.phones && Object.keys(next.phones).length === 0) delete next.phones;
  if (next.lookups && Object.keys(next.lookups).length === 0) delete next.lookups;
  if (next.dtmf && next.dtmf.length === 0) delete next.dtmf;
  if (next.at === undefined || next.at === "") delete next.at;
  if (next.caller_hangs_up_after_s === undefined) delete next.caller_hangs_up_after_s;
  const expect = next.expect;
  if (expect.path && expect.path.length === 0) delete expect.path;
  if (expect.variables && Object.keys(expect.variables).length === 0) delete expect.variables;
  if (!expect.disposition) delete expect.disposition;
  if (!expect.answered_by) delete expect.answered_by;
  return next;
}

export function addScenario(document: EditorDocument, scenario: Scenario): EditorDocument {
  const scenarios = scenariosOf(document);
  const name = uniqueScenarioName(scenario.name, scenarios.map((s) => s.name));
  return withScenarios(document, [...scenarios, tidyScenario({ ...scenario, name })]);
}

export function updateScenario(document: EditorDocument, index: number, change: (scenario: Scenario) => Scenario): EditorDocument {
  const scenarios = scenariosOf(document);
  if (!scenarios[index]) return document;
  return withScenarios(document, scenarios.map((scenario, i) => (i === index ? tidyScenario(change(scenario)) : scenario)));
}

/** A copy right after the original, named "<name> (copy)" (or the localized suffix given). */
export function duplicateScenario(document: EditorDocument, index: number, copyName: (name: string) => string): EditorDocument {
  const scenarios = scenariosOf(document);
  const original = scenarios[index];
  if (!original) return document;
  const copy = { ...structuredClone(original), name: uniqueScenarioName(copyName(original.name), scenarios.map((s) => s.name)) };
  return withScenarios(document, [...scenarios.slice(0, index + 1), copy, ...scenarios.slice(index + 1)]);
}

export function removeScenario(document: EditorDocument, index: number): EditorDocument {
  return withScenarios(
    document,
    scenariosOf(document).filter((_, i) => i !== index),
  );
}

/** Renames a record key in place (order kept); refused (same record back) when the new key is taken. */
export function renameKey<T>(record: Record<string, T>, from: string, to: string): Record<string, T> {
  if (from === to || to in record) return record;
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key === from ? to : key, value]));
}

export function withoutKey<T>(record: Record<string, T> | undefined, key: string): Record<string, T> {
  return Object.fromEntries(Object.entries(record ?? {}).filter(([k]) => k !== key));
}

// ------------------------------------------------------------ the flow's nodes

export interface NodeChoice {
  id: string;
  type: string;
  label?: string;
}

/** Menu and digit-collecting nodes: where a scenario's caller can press keys. */
export function keyNodes(document: EditorDocument): NodeChoice[] {
  return document.nodes.filter((node) => KEY_NODE_TYPES.has(node.type)).map(({ id, type, label }) => ({ id, type, label }));
}

/** Outbound APIs the flow's CRM look-ups call, each once, in the order of the nodes. */
export function lookupApiIds(document: EditorDocument): string[] {
  const ids = document.nodes.filter((node) => node.type === "data_lookup").map((node) => String(node.config.outbound_api_id ?? ""));
  return [...new Set(ids.filter(Boolean))];
}

/** The zone opening hours are judged in: the first time condition's, else Budapest's. */
export function flowTimeZone(document: EditorDocument): string {
  const node = document.nodes.find((n) => n.type === "time_condition" && typeof n.config.timezone === "string" && n.config.timezone);
  return (node?.config.timezone as string | undefined) ?? DEFAULT_TIME_ZONE;
}

// ------------------------------------------------------------ the simulated moment

const pad = (n: number) => String(n).padStart(2, "0");

/** Minutes to add to UTC for the wall-clock time in `timeZone` at `instant`. */
function offsetMinutes(timeZone: string, instant: number): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" })
      .formatToParts(new Date(instant))
      .map((part) => [part.type, Number(part.value)]),
  );
  const wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  return Math.round((wall - Math.floor(instant / 1000) * 1000) / 60_000);
}

function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? "-" : "+";
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** `2026-01-05T10:00` on the wall clocks of `timeZone` → `2026-01-05T10:00:00+01:00`; undefined when not a date-time. */
export function zonedLocalToIso(local: string, timeZone: string): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(local);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s = "00"] = match;
  const asUtc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  // Twice, so a moment near a daylight-saving change gets the offset in force then.
  let offset = offsetMinutes(timeZone, asUtc);
  offset = offsetMinutes(timeZone, asUtc - offset * 60_000);
  return `${y}-${mo}-${d}T${h}:${mi}:${s}${formatOffset(offset)}`;
}

/** An ISO moment as the wall-clock time in `timeZone`, for a datetime-local input; "" when unset or unreadable. */
export function isoToZonedLocal(iso: string | undefined, timeZone: string): string {
  if (!iso) return "";
  const instant = Date.parse(iso);
  if (Number.isNaN(instant)) return "";
  const wall = new Date(instant + offsetMinutes(timeZone, instant) * 60_000);
  return `${wall.getUTCFullYear()}-${pad(wall.getUTCMonth() + 1)}-${pad(wall.getUTCDate())}T${pad(wall.getUTCHours())}:${pad(wall.getUTCMinutes())}`;
}

// ------------------------------------------------------------ variable values

/** What an admin types as an expected value: JSON when it reads as a number, true/false, null, a list or an object; text otherwise. */
export function parseVariableValue(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === "") return "";
  try {
    const value: unknown = JSON.parse(trimmed);
    return value;
  } catch {
    return text;
  }
}

/** The inverse of parseVariableValue: text shows as typed unless it would read as something else, then it is quoted. */
export function formatVariableValue(value: unknown): string {
  if (typeof value === "string") {
    try {
      JSON.parse(value.trim());
      return value.trim() === "" ? value : JSON.stringify(value);
    } catch {
      return value;
    }
  }
  return value === undefined ? "" : JSON.stringify(value);
}

// ------------------------------------------------------------ field messages

/** A message for one field: a key under `editor.scenarios.errors` with its values. */
export interface FieldMessage {
  key: "required" | "tooShort" | "tooLong" | "tooLow" | "tooHigh" | "digits" | "extension" | "dateTime" | "unknownNode" | "invalid";
  values?: Record<string, number | string>;
}

/**
 * Field messages by dotted path (`caller`, `dtmf.0.digits`, `phones.101.answer_after_s`,
 * `expect.path.2`…), from the same zod schema the server reads scenarios with,
 * plus node ids this flow does not have.
 */
export function scenarioMessages(scenario: Scenario, document?: EditorDocument): Map<string, FieldMessage> {
  const messages = new Map<string, FieldMessage>();
  const parsed = testScenarioSchema.safeParse(scenario);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.map(String).join(".");
      if (!messages.has(path)) messages.set(path, messageFor(issue, path));
    }
  }
  if (document) {
    const ids = new Set(document.nodes.map((node) => node.id));
    const unknown = (path: string, id: string) => !ids.has(id) && !messages.has(path) && messages.set(path, { key: "unknownNode", values: { id } });
    scenario.dtmf?.forEach((step, i) => unknown(`dtmf.${i}.node_id`, step.node_id));
    scenario.expect.path?.forEach((id, i) => unknown(`expect.path.${i}`, id));
  }
  return messages;
}

interface IssueLike {
  code: string;
  path: PropertyKey[];
  minimum?: number | bigint;
  maximum?: number | bigint;
  origin?: string;
  format?: string;
}

function messageFor(issue: IssueLike, path: string): FieldMessage {
  const last = String(issue.path.at(-1) ?? "");
  const numeric = issue.origin === "number";
  switch (issue.code) {
    case "too_small":
      if (numeric) return { key: "tooLow", values: { min: Number(issue.minimum) } };
      return Number(issue.minimum) <= 1 ? { key: "required" } : { key: "tooShort", values: { min: Number(issue.minimum) } };
    case "too_big":
      return numeric ? { key: "tooHigh", values: { max: Number(issue.maximum) } } : { key: "tooLong", values: { max: Number(issue.maximum) } };
    case "invalid_format":
      if (issue.format === "datetime") return { key: "dateTime" };
      if (last === "digits") return { key: "digits" };
      if (last === "answered_by" || path.startsWith("phones.")) return { key: "extension" };
      return { key: "invalid" };
    case "invalid_key":
      return { key: "extension" };
    default:
      return { key: "invalid" };
  }
}

// ------------------------------------------------------------ from a test call

export interface FinishedTestCall {
  caller: string;
  called: string;
  /** ISO moment the test call pretended it was, if any. */
  at?: string;
  /** Keys pressed, each with the node the call was at. */
  pressed: { node_id: string; digits: string }[];
  path: string[];
  disposition: string | null;
}

const DISPOSITIONS: ReadonlySet<string> = new Set(["answered", "no_answer", "busy", "failed", "cancelled", "voicemail"]);

/** A test call the admin placed, as a scenario expecting what happened (path and outcome). */
export function scenarioFromTestCall(call: FinishedTestCall, name: string): Scenario {
  const dtmf: { node_id: string; digits: string }[] = [];
  for (const press of call.pressed) {
    const last = dtmf.at(-1);
    // Keys pressed one by one at the same node are one entry, as the runner replays them.
    if (last && last.node_id === press.node_id) last.digits += press.digits;
    else dtmf.push({ ...press });
  }
  return tidyScenario({
    name,
    caller: call.caller.trim(),
    called_number: call.called.trim(),
    ...(call.at ? { at: call.at } : {}),
    dtmf,
    expect: {
      path: call.path,
      ...(call.disposition && DISPOSITIONS.has(call.disposition) ? { disposition: call.disposition as Scenario["expect"]["disposition"] } : {}),
    },
  });
}
