/**
 * Reusable zod field schemas for node configs, each annotated with editor
 * metadata (`.meta`) so the inspector form can be generated from the schema.
 */
import { z } from "zod";
import type { LocalizedText, NodeReference } from "@/flows/model/types";
import { variableNameProblem } from "@/flows/model/variables";

export type FieldWidget =
  | "text"
  | "number"
  | "boolean"
  | "select"
  | "language"
  | "timezone"
  | "country"
  | "dates"
  | "prompt"
  | "audio"
  | "template"
  | "expression"
  | "variable"
  | "extension"
  | "extensions"
  | "queue"
  | "outbound_api"
  | "flow"
  | "schedule"
  | "dtmf_options"
  | "assignments"
  | "condition_rules";

/** Editor metadata on a config field; `title` is the English label for JSON Schema consumers. */
export interface FieldMeta {
  title: string;
  label: LocalizedText;
  widget: FieldWidget;
  help?: LocalizedText;
  unit?: "s";
}

export function field<S extends z.ZodType>(schema: S, meta: FieldMeta): S {
  return schema.meta({ ...meta });
}

export function fieldMeta(schema: z.ZodType): FieldMeta | undefined {
  const meta = z.globalRegistry.get(schema);
  return meta && typeof meta.widget === "string" ? (meta as unknown as FieldMeta) : undefined;
}

export const LANGUAGE_PATTERN = /^[a-z]{2,3}(-[A-Z]{2})?$/;
export const EXTENSION_PATTERN = /^[0-9]{1,10}$/;
export const DTMF_KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "*", "#"] as const;

export function isTemplate(text: string): boolean {
  return text.includes("{{") || text.includes("{%");
}

export const languageSchema = z.string().regex(LANGUAGE_PATTERN, "Use a language code such as hu, en or en-GB");

/** An uploaded audio prompt's id (`aud_…`), chosen from the library. */
export const audioIdSchema = z.string().min(1).max(200);

export const promptSchema = z.union([
  z.string().trim().min(1, "Enter the text to say").max(2000),
  z.strictObject({
    text: z.string().trim().min(1, "Enter the text to say").max(2000),
    language: languageSchema.optional(),
    audio_id: audioIdSchema.optional(),
  }),
]);

export function promptField(label: LocalizedText) {
  return field(promptSchema, { title: label.en, label, widget: "prompt" });
}

export function secondsField(label: LocalizedText, bounds: { min: number; max: number; default: number }) {
  return field(z.number().int().min(bounds.min).max(bounds.max).default(bounds.default), {
    title: label.en,
    label,
    widget: "number",
    unit: "s",
  });
}

export const extensionSchema = z.string().regex(EXTENSION_PATTERN, "An extension is 1–10 digits");

/** An extension, or a template that renders to one at run time (e.g. `{{ lookup.extension }}`). */
export const extensionOrTemplateSchema = z
  .string()
  .trim()
  .min(1, "Choose an extension")
  .max(500)
  .refine((value) => isTemplate(value) || EXTENSION_PATTERN.test(value), "An extension is 1–10 digits, or a template");

export const idReferenceSchema = z.string().trim().min(1, "Choose one").max(100);

export const outboundApiField = field(idReferenceSchema, {
  title: "Outbound API",
  label: { en: "Outbound API", hu: "Kimenő API" },
  widget: "outbound_api",
});

export const variableNameSchema = z
  .string()
  .superRefine((name, ctx) => {
    const problem = variableNameProblem(name);
    if (problem) ctx.addIssue({ code: "custom", message: `Variable name ${problem}` });
  });

/** The audio prompt a prompt value plays, as a reference validation checks. */
export function promptReferences(prompt: z.output<typeof promptSchema> | undefined, path: string): NodeReference[] {
  if (prompt === undefined || typeof prompt === "string" || prompt.audio_id === undefined) return [];
  return [{ kind: "audio_prompt", id: prompt.audio_id, path: `${path}.audio_id` }];
}

/** Plain text of a prompt for summaries. */
export function promptText(prompt: z.output<typeof promptSchema> | undefined): string {
  if (prompt === undefined) return "";
  return typeof prompt === "string" ? prompt : prompt.text;
}

export function truncate(text: string, max = 40): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export const RING_TIMEOUT_BOUNDS = { min: 5, max: 300, default: 30 } as const;
