import { z } from "zod";
import type { NodeDefinition } from "@/flows/model/types";
import { NEXT_REQUIRED } from "@/flows/nodes/ports";

export const startConfigSchema = z.strictObject({});
export type StartConfig = z.output<typeof startConfigSchema>;

export const startDefinition: NodeDefinition<"start", StartConfig> = {
  type: "start",
  version: 1,
  label: { en: "Start", hu: "Kezdés" },
  description: { en: "Where every call enters the flow.", hu: "Itt lép be minden hívás a hívaslogikába." },
  group: "control",
  icon: "phone-incoming",
  configSchema: startConfigSchema,
  defaults: {},
  waitsForCaller: false,
  ports: () => [...NEXT_REQUIRED],
  summary: (_config, locale) => (locale === "hu" ? "Bejövő hívás" : "Incoming call"),
  references: () => [],
  templateFields: () => [],
  variablesSet: () => [],
};
