import { z } from "zod";
import type { NodeDefinition } from "@/flows/model/types";
import { field, variableNameSchema } from "@/flows/model/fields";
import { NEXT_REQUIRED, localized } from "@/flows/nodes/ports";

export const assignmentSchema = z.strictObject({
  name: variableNameSchema,
  /** A string is a template whose output is typed ("42" → 42, "true" → true); other values are literals. */
  value: z.union([z.string().max(2000), z.number(), z.boolean(), z.null()]),
});

export const setVariablesConfigSchema = z
  .strictObject({
    assignments: field(z.array(assignmentSchema).min(1, "Add at least one variable").max(50), {
      title: "Variables",
      label: { en: "Variables", hu: "Változók" },
      widget: "assignments",
      help: {
        en: "Values may use templates; a result that looks like a number or true/false keeps that type.",
        hu: "Az értékekben sablon is lehet; a szám vagy true/false eredmény ilyen típusú marad.",
      },
    }),
  })
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.assignments.forEach((assignment, index) => {
      if (seen.has(assignment.name)) {
        ctx.addIssue({ code: "custom", message: `Variable ${assignment.name} is set twice`, path: ["assignments", index, "name"] });
      }
      seen.add(assignment.name);
    });
  });
export type SetVariablesConfig = z.output<typeof setVariablesConfigSchema>;

export const setVariablesDefinition: NodeDefinition<"set_variables", SetVariablesConfig> = {
  type: "set_variables",
  version: 1,
  label: { en: "Set variables", hu: "Változók beállítása" },
  description: { en: "Stores values for later nodes and templates.", hu: "Értékeket ment a későbbi csomópontok és sablonok számára." },
  group: "control",
  icon: "variable",
  configSchema: setVariablesConfigSchema,
  defaults: { assignments: [{ name: "my_variable", value: "" }] },
  waitsForCaller: false,
  ports: () => [...NEXT_REQUIRED],
  summary: (config, locale) => {
    const names = config.assignments.map((assignment) => assignment.name).join(", ");
    return localized(locale, `Set ${names}`, `Beállítja: ${names}`);
  },
  references: () => [],
  templateFields: (config) =>
    config.assignments.flatMap((assignment, index) =>
      typeof assignment.value === "string"
        ? [{ path: `config.assignments.${index}.value`, template: assignment.value, kind: "template" as const }]
        : [],
    ),
  variablesSet: (config) => config.assignments.map((assignment) => assignment.name),
};
