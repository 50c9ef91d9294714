import { z } from "zod";
import type { NodeDefinition } from "@/flows/model/types";
import { outboundApiField } from "@/flows/model/fields";
import { NEXT_REQUIRED, localized } from "@/flows/nodes/ports";

export const notifyConfigSchema = z.strictObject({ outbound_api_id: outboundApiField });
export type NotifyConfig = z.output<typeof notifyConfigSchema>;

export const notifyDefinition: NodeDefinition<"notify", NotifyConfig> = {
  type: "notify",
  version: 1,
  label: { en: "Notify CRM", hu: "CRM értesítés" },
  description: {
    en: "Tells the CRM about this incoming call (e.g. to pop the customer card). Never holds the call.",
    hu: "Értesíti a CRM-et a bejövő hívásról (pl. ügyfélkártya megnyitásához). A hívást nem tartja fel.",
  },
  group: "crm",
  icon: "bell-ring",
  configSchema: notifyConfigSchema,
  defaults: { outbound_api_id: "" },
  waitsForCaller: false,
  ports: () => [...NEXT_REQUIRED],
  summary: (config, locale) => localized(locale, `Notify ${config.outbound_api_id}`, `Értesítés: ${config.outbound_api_id}`),
  references: (config) => [
    { kind: "outbound_api", id: config.outbound_api_id, path: "config.outbound_api_id", apiKind: "incoming_notification" },
  ],
  templateFields: () => [],
  variablesSet: () => [],
};
