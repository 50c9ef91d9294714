/** Rules for user variable names: shared by the schema, templates and the runtime scope. */

export const VARIABLE_NAME_PATTERN = /^[a-z_][a-z0-9_]*$/;

/** Scope roots and Liquid words a user variable would shadow or break. */
export const RESERVED_VARIABLE_NAMES: ReadonlySet<string> = new Set([
  "call",
  "lookup",
  "flow",
  "now",
  "true",
  "false",
  "nil",
  "null",
  "empty",
  "blank",
  "and",
  "or",
  "not",
  "contains",
  "forloop",
  "tablerowloop",
]);

export function variableNameProblem(name: string): string | null {
  if (!VARIABLE_NAME_PATTERN.test(name)) return "must start with a-z or _ and contain only a-z, 0-9 and _";
  if (name.length > 64) return "must be at most 64 characters";
  // "__proto__" and friends: keep scope objects safe from prototype tricks.
  if (name.startsWith("__")) return "must not start with two underscores";
  if (RESERVED_VARIABLE_NAMES.has(name)) return `"${name}" is reserved`;
  return null;
}

export function isVariableName(name: string): boolean {
  return variableNameProblem(name) === null;
}
