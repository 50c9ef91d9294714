/**
 * Validation results arranged for the editor: per node (canvas markers), per
 * inspector field and output port, and reference checks answered from the
 * picker options the editor already has.
 */
import type { Locale } from "@/flows/model/types";
import type { ReferenceLookup } from "@/flows/runtime/ports";
import type { ValidationIssue, ValidationResult } from "@/flows/validation/validateFlow";

export interface PickerOption {
  id: string;
  label: string;
}

export interface PickerOptions {
  extensions: PickerOption[];
  queues: PickerOption[];
  flows: PickerOption[];
  outboundApis: (PickerOption & { kind: string })[];
  /** The audio prompt library; absent while loading (references to it are then not checked). */
  audioPrompts?: (PickerOption & { durationMs: number | null })[];
}

/** What the ids of queues, CRM APIs, flows and recordings stand for, for the canvas's node summaries. */
export function referenceNames(options: PickerOptions | undefined): ReadonlyMap<string, string> {
  if (!options) return new Map();
  return new Map([...options.queues, ...options.flows, ...options.outboundApis, ...(options.audioPrompts ?? [])].map((item) => [item.id, item.label]));
}

/** Reference checks in the browser, from the same lists the pickers show (the server repeats them when publishing). */
export function referenceLookup(options: PickerOptions): ReferenceLookup {
  const ids = (list: PickerOption[]) => new Set(list.map((item) => item.id));
  const extensions = ids(options.extensions);
  const queues = ids(options.queues);
  const flows = ids(options.flows);
  const audioPrompts = ids(options.audioPrompts ?? []);
  return {
    extensionExists: (extension) => extensions.has(extension),
    queueExists: (queue) => queues.has(queue),
    outboundApiExists: (id, kind) => options.outboundApis.some((api) => api.id === id && (kind === undefined || api.kind === kind)),
    flowExists: (flow) => flows.has(flow),
    ...(options.audioPrompts ? { audioPromptExists: (id: string) => audioPrompts.has(id) } : {}),
  };
}

export interface NodeIssues {
  errors: ValidationIssue[];
  warnings: ValidationIssue[];
}

export function issuesByNode(result: ValidationResult): Map<string, NodeIssues> {
  const byNode = new Map<string, NodeIssues>();
  const entry = (nodeId: string) => {
    let issues = byNode.get(nodeId);
    if (!issues) byNode.set(nodeId, (issues = { errors: [], warnings: [] }));
    return issues;
  };
  for (const issue of result.errors) if (issue.node_id !== undefined) entry(issue.node_id).errors.push(issue);
  for (const issue of result.warnings) if (issue.node_id !== undefined) entry(issue.node_id).warnings.push(issue);
  return byNode;
}

const CONFIG_PATH = /^nodes\.\d+\.config\.([^.]+)/;
const PORT_PATH = /^nodes\.\d+\.ports\.(.+)$/;

/** The config field an issue is about (`prompt`, `rules`…), or null for node-level issues. */
export function issueField(issue: ValidationIssue): string | null {
  return CONFIG_PATH.exec(issue.path)?.[1] ?? null;
}

/** The output port an "unconnected" issue is about, or null. */
export function issuePort(issue: ValidationIssue): string | null {
  return PORT_PATH.exec(issue.path)?.[1] ?? null;
}

export function issueText(issue: ValidationIssue, locale: Locale): string {
  return locale === "hu" ? issue.messageHu : issue.message;
}
