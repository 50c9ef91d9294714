import { z } from "zod";
import type { NodeDefinition } from "@/flows/model/types";
import { field } from "@/flows/model/fields";
import { localized, port } from "@/flows/nodes/ports";

export const RULE_ID_PATTERN = /^[a-z0-9_-]{1,32}$/;

export const conditionRuleSchema = z.strictObject({
  id: z.string().regex(RULE_ID_PATTERN, "Use 1–32 of a-z, 0-9, _ and -").refine((id) => id !== "else", '"else" is the fallback port'),
  when: z.string().trim().min(1, "Enter a condition").max(1000),
});

export const conditionConfigSchema = z
  .strictObject({
    rules: field(z.array(conditionRuleSchema).min(1, "Add at least one rule").max(20), {
      title: "Rules",
      label: { en: "Rules (first match wins)", hu: "Szabályok (az első teljesülő dönt)" },
      widget: "condition_rules",
      help: {
        en: 'Liquid expressions, e.g. lookup.found and call.caller.number contains "+3630"',
        hu: 'Liquid kifejezések, pl. lookup.found and call.caller.number contains "+3630"',
      },
    }),
  })
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.rules.forEach((rule, index) => {
      if (seen.has(rule.id)) ctx.addIssue({ code: "custom", message: `Rule id ${rule.id} is used twice`, path: ["rules", index, "id"] });
      seen.add(rule.id);
    });
  });
export type ConditionConfig = z.output<typeof conditionConfigSchema>;

export const conditionDefinition: NodeDefinition<"condition", ConditionConfig> = {
  type: "condition",
  version: 1,
  label: { en: "Condition", hu: "Feltétel" },
  description: {
    en: "Takes the port of the first rule whose expression is true, else the fallback.",
    hu: "Az első igaz szabály kimenetén folytatja, különben az „egyébként” ágon.",
  },
  group: "control",
  icon: "git-branch",
  configSchema: conditionConfigSchema,
  defaults: { rules: [{ id: "rule_1", when: "lookup.found" }] },
  waitsForCaller: false,
  ports: (config) => [
    ...config.rules.map((rule) => ({ id: rule.id, label: { en: rule.id, hu: rule.id }, required: true })),
    port("else", false),
  ],
  summary: (config, locale) => {
    const first = config.rules[0]?.when ?? "";
    const more = config.rules.length > 1 ? localized(locale, ` (+${config.rules.length - 1} more)`, ` (+${config.rules.length - 1} további)`) : "";
    return `${first.length > 40 ? `${first.slice(0, 39)}…` : first}${more}`;
  },
  references: () => [],
  templateFields: (config) =>
    config.rules.map((rule, index) => ({ path: `config.rules.${index}.when`, template: rule.when, kind: "expression" as const })),
  variablesSet: () => [],
};
