/**
 * Variable completion in template and condition fields: where the variable
 * being typed starts, and what the text becomes when one is picked.
 * `{{ call.ca|` offers call.caller.*; in a condition, any word being typed.
 */
import type { AvailableVariable } from "@/flows/templates/variables";

export type TemplateKind = "template" | "expression";

export interface CompletionRange {
  from: number;
  to: number;
  query: string;
}

const PATH_BEFORE_CURSOR = /[A-Za-z0-9_.]*$/;

export function completionAt(text: string, cursor: number, kind: TemplateKind): CompletionRange | null {
  const before = text.slice(0, cursor);
  if (kind === "template") {
    const open = Math.max(before.lastIndexOf("{{"), before.lastIndexOf("{%"));
    if (open < 0) return null;
    const inside = before.slice(open + 2);
    if (inside.includes("}}") || inside.includes("%}")) return null;
  }
  const query = PATH_BEFORE_CURSOR.exec(before)?.[0] ?? "";
  if (kind === "expression" && query === "") return null;
  return { from: cursor - query.length, to: cursor, query };
}

/** Matches by prefix first, then anywhere in the path; at most `limit`. */
export function matchingVariables(variables: readonly AvailableVariable[], query: string, limit = 8): AvailableVariable[] {
  const needle = query.toLowerCase();
  const prefix = variables.filter((variable) => variable.path.toLowerCase().startsWith(needle));
  const inside = variables.filter((variable) => !variable.path.toLowerCase().startsWith(needle) && variable.path.toLowerCase().includes(needle));
  return [...prefix, ...inside].slice(0, limit);
}

/** Puts `path` in place of the typed part; in a template also the spacing and the closing `}}` when missing. */
export function applyCompletion(text: string, range: CompletionRange, path: string, kind: TemplateKind): { text: string; cursor: number } {
  const before = text.slice(0, range.from);
  const after = text.slice(range.to);
  if (kind === "expression") return { text: `${before}${path}${after}`, cursor: before.length + path.length };
  const lead = before.endsWith("{") ? " " : "";
  const closed = /^\s*[|}%]/.test(after);
  const insert = `${lead}${path}${closed ? "" : " }}"}`;
  return { text: `${before}${insert}${after}`, cursor: before.length + insert.length };
}

/** Inserts a whole `{{ path }}` at the cursor (the "insert variable" button). */
export function insertVariable(text: string, cursor: number, path: string, kind: TemplateKind): { text: string; cursor: number } {
  const insert = kind === "template" ? `{{ ${path} }}` : path;
  return { text: `${text.slice(0, cursor)}${insert}${text.slice(cursor)}`, cursor: cursor + insert.length };
}
