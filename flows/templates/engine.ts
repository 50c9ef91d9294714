/**
 * The one sandboxed Liquid engine used for every template and condition:
 * no file system (include/render/layout are removed and there are no
 * templates to load), undefined variables and filters are errors, and
 * parsing, memory and render time are bounded.
 */
import { type Context, Liquid, type Operators, defaultOperators } from "liquidjs";

type BinaryOperator = (lhs: unknown, rhs: unknown, ctx: Context) => ReturnType<Operators[string]>;

export const TEMPLATE_LIMITS = {
  /** Longest template source accepted. */
  maxSourceLength: 4_000,
  /** Longest rendered output (a prompt, a number, a variable value). */
  maxOutputLength: 4_096,
  /**
   * Milliseconds one render may take: a backstop behind the deterministic
   * limits (nodes, memory, output), generous so a busy machine or a GC pause
   * never fails a legitimate template.
   */
  renderTimeMs: 250,
  /** liquidjs allocation units per render (ranges, joins, concatenations). */
  memoryUnits: 100_000,
  /** Tags/outputs rendered per call. */
  renderedNodes: 10_000,
} as const;

const NUMERIC_TEXT = /^-?\d+(\.\d+)?$/;

function numericValue(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string" && NUMERIC_TEXT.test(value)) return Number(value);
  return undefined;
}

/**
 * Numbers compare as numbers: `digits == 1` holds when the caller keyed "1".
 * Equality converts only when one side is a number ("007" == "7" stays false);
 * ordering also converts two numeric strings ("10" > "9").
 */
function numericAware(name: "==" | "!=" | "<" | ">" | "<=" | ">="): BinaryOperator {
  const fallback = defaultOperators[name] as BinaryOperator;
  return (lhs, rhs, ctx) => {
    const bothSidesMayConvert = name === "==" || name === "!=" ? typeof lhs === "number" || typeof rhs === "number" : true;
    const left = numericValue(lhs);
    const right = numericValue(rhs);
    if (bothSidesMayConvert && left !== undefined && right !== undefined) {
      switch (name) {
        case "==":
          return left === right;
        case "!=":
          return left !== right;
        case "<":
          return left < right;
        case ">":
          return left > right;
        case "<=":
          return left <= right;
        case ">=":
          return left >= right;
      }
    }
    return fallback(lhs, rhs, ctx);
  };
}

const operators: Operators = {
  ...defaultOperators,
  "==": numericAware("=="),
  "!=": numericAware("!="),
  "<": numericAware("<"),
  ">": numericAware(">"),
  "<=": numericAware("<="),
  ">=": numericAware(">="),
};

function createEngine(): Liquid {
  const liquid = new Liquid({
    strictVariables: true,
    strictFilters: true,
    // `{% if maybe_set %}` and `| default:` may look at variables that were never set.
    lenientIf: true,
    ownPropertyOnly: true,
    // An empty in-memory store: nothing can ever be loaded from disk.
    templates: {},
    parseLimit: TEMPLATE_LIMITS.maxSourceLength,
    renderLimit: TEMPLATE_LIMITS.renderTimeMs,
    memoryLimit: TEMPLATE_LIMITS.memoryUnits,
    operators,
  });
  for (const tag of ["include", "render", "layout", "block"]) delete liquid.tags[tag];
  return liquid;
}

export const liquid = createEngine();
