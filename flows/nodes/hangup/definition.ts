import { z } from "zod";
import type { NodeDefinition } from "@/flows/model/types";

export const hangupConfigSchema = z.strictObject({});
export type HangupConfig = z.output<typeof hangupConfigSchema>;

export const hangupDefinition: NodeDefinition<"hangup", HangupConfig> = {
  type: "hangup",
  version: 1,
  label: { en: "Hang up", hu: "Bontás" },
  description: { en: "Ends the call.", hu: "Befejezi a hívást." },
  group: "control",
  icon: "phone-off",
  configSchema: hangupConfigSchema,
  defaults: {},
  waitsForCaller: false,
  ports: () => [],
  summary: (_config, locale) => (locale === "hu" ? "Hívás vége" : "End of call"),
  references: () => [],
  templateFields: () => [],
  variablesSet: () => [],
};
