/**
 * Rendering Liquid templates (prompts, dial targets, variable values).
 * Parsed templates are cached by source, so a flow's templates are parsed
 * once per process, and text without Liquid markup skips the engine.
 */
import type { Liquid, Template } from "liquidjs";
import { TEMPLATE_LIMITS, liquid, urlLiquid } from "@/flows/templates/engine";
import { TemplateError } from "@/flows/templates/errors";

const MAX_CACHED = 2_000;
type ParseCache = Map<string, Template[] | TemplateError>;
const parsedTemplates: ParseCache = new Map();
/** Parsed URL templates: their outputs carry the engine's URL encoding, so they are cached apart. */
const parsedUrlTemplates: ParseCache = new Map();
const RENDER_OPTIONS = { templateLimit: TEMPLATE_LIMITS.renderedNodes } as const;

/** Cheap pre-check: without "{" there is nothing for Liquid to do. */
function isPlainText(source: string): boolean {
  return !source.includes("{");
}

function parseCached(source: string, engine: Liquid = liquid, cache: ParseCache = parsedTemplates): Template[] {
  let parsed = cache.get(source);
  if (parsed === undefined) {
    parsed = parseUncached(source, engine);
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
    cache.set(source, parsed);
  }
  if (parsed instanceof TemplateError) throw parsed;
  return parsed;
}

function parseUncached(source: string, engine: Liquid): Template[] | TemplateError {
  if (source.length > TEMPLATE_LIMITS.maxSourceLength) {
    return new TemplateError("limit", `Template is longer than ${TEMPLATE_LIMITS.maxSourceLength} characters`);
  }
  try {
    return engine.parse(source);
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
  return renderWith(liquid, parsedTemplates, source, scope);
}

/** Renders a URL template: every interpolated value is URL-encoded as it is inserted (engine.ts `encodeUrlValue`). */
export function renderUrlTemplate(source: string, scope: object): string {
  return renderWith(urlLiquid, parsedUrlTemplates, source, scope);
}

function renderWith(engine: Liquid, cache: ParseCache, source: string, scope: object): string {
  if (isPlainText(source)) return source;
  const parsed = parseCached(source, engine, cache);
  let output: unknown;
  try {
    output = engine.renderSync(parsed, scope, RENDER_OPTIONS);
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
