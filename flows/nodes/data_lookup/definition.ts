import { z } from "zod";
import type { NodeDefinition } from "@/flows/model/types";
import { outboundApiField } from "@/flows/model/fields";
import { localized, port } from "@/flows/nodes/ports";

export const dataLookupConfigSchema = z.strictObject({ outbound_api_id: outboundApiField });
export type DataLookupConfig = z.output<typeof dataLookupConfigSchema>;

export const dataLookupDefinition: NodeDefinition<"data_lookup", DataLookupConfig> = {
  type: "data_lookup",
  version: 1,
  label: { en: "CRM look-up", hu: "CRM adatlekérdezés" },
  description: {
    en: "Asks the CRM about the caller; the answer is available as lookup.* (extension, contact, variables).",
    hu: "Lekérdezi a hívót a CRM-ből; a válasz a lookup.* változókban érhető el (mellék, kapcsolat, változók).",
  },
  group: "crm",
  icon: "database-zap",
  configSchema: dataLookupConfigSchema,
  defaults: { outbound_api_id: "" },
  waitsForCaller: false,
  ports: () => [port("found", true), port("not_found", true), port("error", false)],
  summary: (config, locale) => localized(locale, `Look up via ${config.outbound_api_id}`, `Lekérdezés: ${config.outbound_api_id}`),
  references: (config) => [{ kind: "outbound_api", id: config.outbound_api_id, path: "config.outbound_api_id", apiKind: "data_lookup" }],
  templateFields: () => [],
  variablesSet: () => [],
};
