/**
 * Static view of template variables: which variables a template or condition
 * reads (for validation), and which variables exist at a node (for editor
 * autocomplete): `call.*`, `flow.*`, `now`, `lookup.*` after a look-up, and
 * user variables set by nodes that can run before it.
 */
import type { Template } from "liquidjs";
import { ancestorsOf } from "@/flows/model/graph";
import type { FlowDocument, LocalizedText, TemplateField } from "@/flows/model/types";
import { looseDefinition } from "@/flows/nodes/definitions";
import { liquid } from "@/flows/templates/engine";
import { parsedExpression } from "@/flows/templates/expressions";
import { parseTemplate } from "@/flows/templates/render";
import { CALL_FIELDS, FLOW_FIELDS, LOOKUP_FIELDS } from "@/flows/templates/scopeShape";

/**
 * Variable paths a well-formed template or expression reads from the scope,
 * e.g. [["call","caller","number"], ["customer_id"]]; a dynamic index ends the path.
 */
export function referencedVariables(field: Pick<TemplateField, "template" | "kind">): string[][] {
  const templates: Template[] =
    field.kind === "template"
      ? parseTemplate(field.template)
      : // Static analysis walks templates' arguments; present the expression as one.
        [{ *arguments() { yield parsedExpression(field.template); } } as unknown as Template];
  return liquid.globalVariableSegmentsSync(templates).map((segments) => {
    const path: string[] = [];
    for (const segment of segments) {
      if (typeof segment !== "string" && typeof segment !== "number") break;
      path.push(String(segment));
    }
    return path;
  });
}

export interface AvailableVariable {
  /** What to type in a template, e.g. "call.caller.number" or "customer_id". */
  path: string;
  source: "call" | "flow" | "lookup" | "user";
  description: LocalizedText;
  /** For user variables: the nodes before this one that set it. */
  set_by?: string[];
}

export function templateVariables(document: FlowDocument, nodeId: string): AvailableVariable[] {
  const ancestors = ancestorsOf(document, nodeId);
  const before = document.nodes.filter((node) => ancestors.has(node.id));
  const variables: AvailableVariable[] = [
    ...describe(CALL_FIELDS, "call"),
    ...describe(FLOW_FIELDS, "flow"),
    ...(before.some((node) => node.type === "data_lookup") ? describe(LOOKUP_FIELDS, "lookup") : []),
  ];
  const setters = new Map<string, string[]>();
  for (const node of before) {
    for (const name of looseDefinition(node.type).variablesSet(node.config)) setters.set(name, [...(setters.get(name) ?? []), node.id]);
  }
  for (const [name, nodeIds] of [...setters].sort(([a], [b]) => a.localeCompare(b))) {
    variables.push({ path: name, source: "user", description: { en: "Flow variable", hu: "Hívaslogika-változó" }, set_by: nodeIds });
  }
  return variables;
}

function describe(fields: Readonly<Record<string, LocalizedText>>, source: "call" | "flow" | "lookup"): AvailableVariable[] {
  return Object.entries(fields).map(([path, description]) => ({ path, source, description }));
}
