import { z } from "zod";
import type { NodeDefinition } from "@/flows/model/types";
import { outboundApiField } from "@/flows/model/fields";
import { NEXT_REQUIRED, localized } from "@/flows/nodes/ports";

export const sendCallDataConfigSchema = z.strictObject({ outbound_api_id: outboundApiField });
export type SendCallDataConfig = z.output<typeof sendCallDataConfigSchema>;

export const sendCallDataDefinition: NodeDefinition<"send_call_data", SendCallDataConfig> = {
  type: "send_call_data",
  version: 1,
  label: { en: "Send call data", hu: "Hívásadatok küldése" },
  description: {
    en: "When this call ends, its call record (and recording) goes to that end-of-call API.",
    hu: "A hívás végén a hívásrekord (és a felvétel) ehhez a hívás végi API-hoz kerül.",
  },
  group: "crm",
  icon: "send",
  configSchema: sendCallDataConfigSchema,
  defaults: { outbound_api_id: "" },
  waitsForCaller: false,
  ports: () => [...NEXT_REQUIRED],
  summary: (config, locale) => localized(locale, `At the end → ${config.outbound_api_id}`, `Hívás végén → ${config.outbound_api_id}`),
  references: (config) => [{ kind: "outbound_api", id: config.outbound_api_id, path: "config.outbound_api_id", apiKind: "end_of_call" }],
  templateFields: () => [],
  variablesSet: () => [],
};
