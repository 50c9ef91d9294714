/**
 * Full validation of a flow document, for the editor (live), the validate
 * endpoint and publishing. Schema problems, graph problems, references and
 * templates are all reported in one pass where possible.
 */
import { parseFlowDocument, upgradeFlowDocument } from "@/flows/model/document";
import type { ReferenceLookup } from "@/flows/runtime/ports";
import { flowView } from "@/flows/validation/flowView";
import { IssueCollector, type ValidationResult } from "@/flows/validation/issues";
import { checkReferences } from "@/flows/validation/references";
import { checkStructure } from "@/flows/validation/structure";
import { checkTemplates } from "@/flows/validation/templates";

export type { ValidationIssue, ValidationResult } from "@/flows/validation/issues";
export type { ValidationCode } from "@/flows/validation/messages";

export interface ValidateOptions {
  /** The id of the flow being validated: needed to detect goto_flow cycles back to it. */
  flowId?: string;
}

/** `refs` checks that referenced extensions, queues, outbound APIs and flows exist; without it those checks are skipped. */
export function validateFlow(document: unknown, refs?: ReferenceLookup, options: ValidateOptions = {}): ValidationResult {
  const issues = new IssueCollector();
  const parsed = parseFlowDocument(document);
  if (!parsed.ok) {
    for (const error of parsed.errors) issues.error("schema_invalid", { path: error.path, node_id: error.node_id }, { detail: error.message });
  }
  const upgraded = upgradeFlowDocument(document).document;
  if (!upgraded) return issues.result();
  const view = flowView(upgraded);
  checkStructure(view, issues);
  checkReferences(view, refs, options.flowId, issues);
  checkTemplates(view, issues);
  return issues.result();
}
