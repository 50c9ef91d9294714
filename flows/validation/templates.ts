/** Template and condition checks: they must parse, and the variables they read should exist at that node. */
import { ancestorsOf } from "@/flows/model/graph";
import type { TemplateField } from "@/flows/model/types";
import { checkExpression } from "@/flows/templates/expressions";
import { checkTemplate } from "@/flows/templates/render";
import { CALL_FIELDS, FLOW_FIELDS, LOOKUP_FIELDS } from "@/flows/templates/scopeShape";
import { referencedVariables } from "@/flows/templates/variables";
import type { IssueCollector } from "@/flows/validation/issues";
import type { FlowView, NodeView } from "@/flows/validation/flowView";

export function checkTemplates(view: FlowView, issues: IssueCollector): void {
  for (const node of view.nodes) {
    if (node.config === undefined) continue;
    const fields = node.definition.templateFields(node.config);
    if (fields.length === 0) continue;
    const upstream = upstreamFacts(view, node);
    for (const field of fields) {
      const where = { path: `nodes.${node.index}.${field.path}`, node_id: node.id };
      const problem = field.kind === "template" ? checkTemplate(field.template) : checkExpression(field.template);
      if (problem) {
        issues.error(field.kind === "template" ? "template_invalid" : "expression_invalid", where, { detail: problem });
        continue;
      }
      checkVariables(field, upstream, where, issues);
    }
  }
}

interface UpstreamFacts {
  variables: Set<string>;
  hasLookup: boolean;
}

function upstreamFacts(view: FlowView, node: NodeView): UpstreamFacts {
  const ancestors = ancestorsOf({ nodes: view.nodes, edges: view.edges }, node.id);
  const facts: UpstreamFacts = { variables: new Set(), hasLookup: false };
  for (const id of ancestors) {
    const before = view.byId.get(id);
    if (!before || before.config === undefined) continue;
    if (before.type === "data_lookup") facts.hasLookup = true;
    for (const name of before.definition.variablesSet(before.config)) facts.variables.add(name);
  }
  return facts;
}

function checkVariables(field: TemplateField, upstream: UpstreamFacts, where: { path: string; node_id: string }, issues: IssueCollector): void {
  for (const path of referencedVariables(field)) {
    const name = path.join(".");
    switch (path[0]) {
      case "now":
        break;
      case "call":
        if (!isKnownPath(CALL_FIELDS, name)) issues.warning("variable_unknown", where, { name });
        break;
      case "flow":
        if (!isKnownPath(FLOW_FIELDS, name)) issues.warning("variable_unknown", where, { name });
        break;
      case "lookup":
        if (!upstream.hasLookup) issues.warning("lookup_without_data_lookup", where, { name });
        else if (!isKnownPath(LOOKUP_FIELDS, name) && !name.startsWith("lookup.variables.")) issues.warning("variable_unknown", where, { name });
        break;
      default:
        // A CRM look-up may return any variable, so after one nothing can be ruled out.
        if (!upstream.variables.has(path[0]) && !upstream.hasLookup) issues.warning("variable_unknown", where, { name: path[0] });
    }
  }
}

/** `call.caller` and `call.caller.number` are known; `call.caller.nmber` is not. */
function isKnownPath(fields: Readonly<Record<string, unknown>>, path: string): boolean {
  return Object.keys(fields).some((known) => known === path || known.startsWith(`${path}.`));
}
