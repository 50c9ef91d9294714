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

/** `{{ call.caller.number | last_digits: 9 }}`: the number's last N digits, whatever its format (CRMs store numbers in many forms). */
function lastDigits(value: unknown, count: unknown): string {
  const digits = String(value ?? "").replace(/\D/g, "");
  const n = Math.max(0, Math.trunc(Number(count) || 0));
  return n === 0 ? digits : digits.slice(-n);
}

/**
 * Every value a URL template interpolates is percent-encoded as a URI
 * component (`&`, `=`, `#`, `/`, `?`, spaces, line breaks), so a caller
 * number or flow variable can never add a query parameter, a fragment or a
 * path segment: the template's own text is the only URL syntax.
 */
export function encodeUrlValue(value: unknown): string {
  return encodeURIComponent(String(value ?? ""));
}

function createEngine(options: { outputEscape?: (value: unknown) => string } = {}): Liquid {
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
    ...(options.outputEscape ? { outputEscape: options.outputEscape } : {}),
  });
  for (const tag of ["include", "render", "layout", "block"]) delete liquid.tags[tag];
  // `raw` would switch the URL engine's encoding off.
  if (options.outputEscape) delete liquid.filters.raw;
  liquid.registerFilter("last_digits", lastDigits);
  return liquid;
}

export const liquid = createEngine();
/** The engine for URL templates (a look-up's request line): same sandbox, every output URL-encoded. */
export const urlLiquid = createEngine({ outputEscape: encodeUrlValue });
