/**
 * Condition expressions (`lookup.found and digits == 1`), evaluated by
 * liquidjs's own expression evaluator — the same semantics as `{% if %}` —
 * never by JavaScript eval. Variables that were never set read as nil.
 */
import { Context, Tokenizer, TypeGuards, Value, toValueSync } from "liquidjs";
import { liquid } from "@/flows/templates/engine";
import { TemplateError } from "@/flows/templates/errors";

const MAX_EXPRESSION_LENGTH = 1_000;
const MAX_CACHED = 2_000;
const parsedExpressions = new Map<string, Value | TemplateError>();

function parseExpression(source: string): Value {
  let parsed = parsedExpressions.get(source);
  if (parsed === undefined) {
    parsed = parseUncached(source);
    if (parsedExpressions.size >= MAX_CACHED) parsedExpressions.delete(parsedExpressions.keys().next().value as string);
    parsedExpressions.set(source, parsed);
  }
  if (parsed instanceof TemplateError) throw parsed;
  return parsed;
}

function parseUncached(source: string): Value | TemplateError {
  if (source.trim() === "") return new TemplateError("syntax", "The condition is empty");
  if (source.length > MAX_EXPRESSION_LENGTH) return new TemplateError("limit", `A condition is at most ${MAX_EXPRESSION_LENGTH} characters`);
  try {
    const tokenizer = new Tokenizer(source, liquid.options.operators);
    const token = tokenizer.readFilteredValue();
    const rest = source.slice(tokenizer.p).trim();
    if (rest !== "") return new TemplateError("syntax", `Unexpected "${rest}" in the condition`);
    const value = new Value(token, liquid);
    if (!isWellFormed(value)) return new TemplateError("syntax", "The condition is incomplete: every operator needs a value on each side");
    return value;
  } catch (error) {
    return TemplateError.fromLiquid(error, "parse");
  }
}

/** liquidjs accepts `a b` or `a ==` and quietly ignores the rest; a condition must combine to exactly one value. */
function isWellFormed(value: Value): boolean {
  let depth = 0;
  for (const token of value.initial.postfix) {
    if (!TypeGuards.isOperatorToken(token)) depth += 1;
    else if (token.operator === "not") {
      if (depth < 1) return false;
    } else {
      if (depth < 2) return false;
      depth -= 1;
    }
  }
  return depth === 1;
}

/** True when the expression is truthy in Liquid terms (everything except false and nil). Throws TemplateError. */
export function evaluateCondition(source: string, scope: object): boolean {
  const value = parseExpression(source);
  const context = new Context(scope, liquid.options, {}, { liquid });
  try {
    const result = toValueSync(value.value(context, true));
    return result !== false && result !== null && result !== undefined;
  } catch (error) {
    throw TemplateError.fromLiquid(error, "render");
  }
}

/** For validation: why the expression cannot be parsed, or null. */
export function checkExpression(source: string): string | null {
  try {
    parseExpression(source);
    return null;
  } catch (error) {
    return (error as TemplateError).message;
  }
}

/** The expression's parsed value, for static analysis of the variables it reads. */
export function parsedExpression(source: string): Value {
  return parseExpression(source);
}
