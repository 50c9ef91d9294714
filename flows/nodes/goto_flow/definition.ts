import { z } from "zod";
import type { NodeDefinition } from "@/flows/model/types";
import { field, idReferenceSchema } from "@/flows/model/fields";
import { localized } from "@/flows/nodes/ports";

export const gotoFlowConfigSchema = z.strictObject({
  flow_id: field(idReferenceSchema, { title: "Flow", label: { en: "Continue in flow", hu: "Folytatás ebben" }, widget: "flow" }),
});
export type GotoFlowConfig = z.output<typeof gotoFlowConfigSchema>;

export const gotoFlowDefinition: NodeDefinition<"goto_flow", GotoFlowConfig> = {
  type: "goto_flow",
  version: 1,
  label: { en: "Go to flow", hu: "Ugrás másik hívaslogikára" },
  description: {
    en: "Continues the call in another flow's published version.",
    hu: "A hívás egy másik hívaslogika közzétett változatában folytatódik.",
  },
  group: "control",
  icon: "corner-down-right",
  configSchema: gotoFlowConfigSchema,
  defaults: { flow_id: "" },
  waitsForCaller: false,
  ports: () => [],
  summary: (config, locale) => localized(locale, `Continue in ${config.flow_id}`, `Folytatás: ${config.flow_id}`),
  references: (config) => [{ kind: "flow", id: config.flow_id, path: "config.flow_id" }],
  templateFields: () => [],
  variablesSet: () => [],
};
