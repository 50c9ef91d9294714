/**
 * Rendering Liquid templates (prompts, dial targets, variable values).
 * Parsed templates are cached by source, so a flow's templates are parsed
 * once per process, and text without Liquid markup skips the engine.
 */
import type { Template } from "liquidjs";
import { TEMPLATE_LIMITS, liquid } from "@/flows/templates/engine";
import { TemplateError } from "@/flows/templates/errors";

const MAX_CACHED = 2_000;
const parsedTemplates = new Map<string, Template[] | TemplateError>();
const RENDER_OPTIONS = { templateLimit: TEMPLATE_LIMITS.renderedNodes } as const;

/** Cheap pre-check: without "{" there is nothing for Liquid to do. */
function isPlainText(source: string): boolean {
  return !source.includes("{");
}

function parseCached(source: string): Template[] {
  let parsed = parsedTemplates.get(source);
  if (parsed === undefined) {
    parsed = parseUncached(source);
    if (parsedTemplates.size >= MAX_CACHED) parsedTemplates.delete(parsedTemplates.keys().next().value as string);
    parsedTemplates.set(source, parsed);
  }
  if (parsed instanceof TemplateError) throw parsed;
  return parsed;
}

function parseUncached(source: string): Template[] | TemplateError {
  if (source.length > TEMPLATE_LIMITS.maxSourceLength) {
    return new TemplateError("limit", `Template is longer than ${TEMPLATE_LIMITS.maxSourceLength} characters`);
  }
  try {
    return liquid.parse(source);
  } catch (error) {
    return TemplateError.fromLiquid(error, "parse");
  }
}

/** Parsed form of a template, shared with static analysis; throws TemplateError. */
export function parseTemplate(source: string): Template[] {
  return parseCached(source);
}

/** Renders `source` against `scope`; throws TemplateError on bad syntax, undefined variables, or exceeded limits. */
export function renderTemplate(source: string, scope: object): string {
  if (isPlainText(source)) return source;
  const parsed = parseCached(source);
  let output: unknown;
  try {
    output = liquid.renderSync(parsed, scope, RENDER_OPTIONS);
  } catch (error) {
    throw TemplateError.fromLiquid(error, "render");
  }
  const text = String(output);
  if (text.length > TEMPLATE_LIMITS.maxOutputLength) {
    throw new TemplateError("limit", `Template output is longer than ${TEMPLATE_LIMITS.maxOutputLength} characters`);
  }
  return text;
}

/** For validation: the parse error of a template, or null when it is well-formed. */
export function checkTemplate(source: string): string | null {
  if (isPlainText(source)) return null;
  try {
    parseCached(source);
    return null;
  } catch (error) {
    return (error as TemplateError).message;
  }
}
