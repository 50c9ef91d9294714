import { z } from "zod";
import type { NodeDefinition, PortSpec } from "@/flows/model/types";
import { DTMF_KEYS, field, promptField, promptReferences, promptText, secondsField } from "@/flows/model/fields";
import { port, localized } from "@/flows/nodes/ports";

export const menuConfigSchema = z
  .strictObject({
    prompt: promptField({ en: "Menu prompt", hu: "Menü bemondás" }),
    options: field(z.array(z.enum(DTMF_KEYS, "Each option is one key: 0-9, * or #")).min(1, "Add at least one option").max(12), {
      title: "Options",
      label: { en: "Keys", hu: "Gombok" },
      widget: "dtmf_options",
    }),
    timeout_s: secondsField({ en: "Wait for a key", hu: "Várakozás gombnyomásra" }, { min: 1, max: 120, default: 5 }),
    max_retries: field(z.number().int().min(0).max(10).default(2), {
      title: "Retries",
      label: { en: "Retries", hu: "Ismétlések" },
      widget: "number",
    }),
    invalid_prompt: field(promptField({ en: "Invalid key message", hu: "Érvénytelen gomb bemondás" }).optional(), {
      title: "Invalid key message",
      label: { en: "Invalid key message", hu: "Érvénytelen gomb bemondás" },
      widget: "prompt",
    }),
  })
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.options.forEach((key, index) => {
      if (seen.has(key)) ctx.addIssue({ code: "custom", message: `Key ${key} is used twice`, path: ["options", index] });
      seen.add(key);
    });
  });
export type MenuConfig = z.output<typeof menuConfigSchema>;

export const menuDefinition: NodeDefinition<"menu", MenuConfig> = {
  type: "menu",
  version: 1,
  label: { en: "Menu", hu: "Menü" },
  description: {
    en: "Plays a prompt and routes the call by the key pressed.",
    hu: "Bemondás után a megnyomott gomb szerint irányítja a hívást.",
  },
  group: "prompts",
  icon: "grid-3x3",
  configSchema: menuConfigSchema,
  defaults: { prompt: "", options: ["1", "2"], timeout_s: 5, max_retries: 2 },
  waitsForCaller: true,
  ports: (config): PortSpec[] => [
    ...config.options.map((key) => ({ id: key, label: { en: `Key ${key}`, hu: `${key} gomb` }, required: true })),
    port("timeout", false),
    port("invalid", false),
  ],
  summary: (config, locale) =>
    localized(locale, `Keys ${config.options.join(", ")} · ${config.timeout_s} s`, `Gombok: ${config.options.join(", ")} · ${config.timeout_s} mp`),
  references: (config) => [...promptReferences(config.prompt, "config.prompt"), ...promptReferences(config.invalid_prompt, "config.invalid_prompt")],
  templateFields: (config) => [
    { path: "config.prompt", template: promptText(config.prompt), kind: "template" },
    ...(config.invalid_prompt === undefined
      ? []
      : [{ path: "config.invalid_prompt", template: promptText(config.invalid_prompt), kind: "template" as const }]),
  ],
  variablesSet: () => [],
};
