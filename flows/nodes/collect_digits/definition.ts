import { z } from "zod";
import type { NodeDefinition } from "@/flows/model/types";
import { field, promptField, promptReferences, promptText, secondsField, variableNameSchema } from "@/flows/model/fields";
import { localized, port } from "@/flows/nodes/ports";

const lengthField = (en: string, hu: string, fallback: number) =>
  field(z.number().int().min(1).max(32).default(fallback), { title: en, label: { en, hu }, widget: "number" });

export const collectDigitsConfigSchema = z
  .strictObject({
    prompt: field(promptField({ en: "Prompt", hu: "Bemondás" }).optional(), {
      title: "Prompt",
      label: { en: "Prompt", hu: "Bemondás" },
      widget: "prompt",
    }),
    variable: field(variableNameSchema, {
      title: "Store digits in variable",
      label: { en: "Store digits in variable", hu: "Változó neve" },
      widget: "variable",
    }),
    min_length: lengthField("Minimum digits", "Legalább ennyi számjegy", 1),
    max_length: lengthField("Maximum digits", "Legfeljebb ennyi számjegy", 10),
    terminator: field(z.enum(["#", "*", ""]).default("#"), {
      title: "End key",
      label: { en: "End key", hu: "Lezáró gomb" },
      widget: "select",
    }),
    timeout_s: secondsField({ en: "Wait between digits", hu: "Várakozás számjegyek között" }, { min: 1, max: 120, default: 5 }),
  })
  .superRefine((config, ctx) => {
    if (config.min_length > config.max_length) {
      ctx.addIssue({ code: "custom", message: "Minimum digits is more than maximum digits", path: ["min_length"] });
    }
  });
export type CollectDigitsConfig = z.output<typeof collectDigitsConfigSchema>;

export const collectDigitsDefinition: NodeDefinition<"collect_digits", CollectDigitsConfig> = {
  type: "collect_digits",
  version: 1,
  label: { en: "Collect digits", hu: "Számjegyek bekérése" },
  description: {
    en: "Asks the caller to key in a number (customer id, PIN…) and stores it in a variable.",
    hu: "Számot kér a hívótól (ügyfélszám, PIN…) és változóba menti.",
  },
  group: "prompts",
  icon: "keyboard",
  configSchema: collectDigitsConfigSchema,
  defaults: { variable: "digits", min_length: 1, max_length: 10, terminator: "#", timeout_s: 5 },
  waitsForCaller: true,
  ports: () => [port("next", true), port("timeout", false)],
  summary: (config, locale) =>
    localized(
      locale,
      `${config.min_length}–${config.max_length} digits → ${config.variable}`,
      `${config.min_length}–${config.max_length} számjegy → ${config.variable}`,
    ),
  references: (config) => promptReferences(config.prompt, "config.prompt"),
  templateFields: (config) =>
    config.prompt === undefined ? [] : [{ path: "config.prompt", template: promptText(config.prompt), kind: "template" }],
  variablesSet: (config) => [config.variable],
};
