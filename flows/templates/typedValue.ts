/**
 * Template output is text; variables keep types. A rendered value that is a
 * plain decimal number becomes a number, "true"/"false" become booleans.
 * Leading zeros keep a value textual ("007", customer ids, PINs).
 */
import type { VariableValue } from "@/flows/model/types";

const CANONICAL_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?$/;

export function typedTemplateOutput(text: string): VariableValue {
  const trimmed = text.trim();
  if (trimmed === "true") return true;
  if (trimmed === "false") return false;
  if (CANONICAL_NUMBER.test(trimmed) && trimmed.length <= 15) return Number(trimmed);
  return text;
}
