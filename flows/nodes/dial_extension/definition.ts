import { z } from "zod";
import type { NodeDefinition } from "@/flows/model/types";
import { RING_TIMEOUT_BOUNDS, extensionOrTemplateSchema, field, isTemplate, secondsField } from "@/flows/model/fields";
import { DIAL_PORTS, localized } from "@/flows/nodes/ports";

export const dialExtensionConfigSchema = z.strictObject({
  extension: field(extensionOrTemplateSchema, {
    title: "Extension",
    label: { en: "Extension", hu: "Mellék" },
    widget: "extension",
    help: { en: "A number, or a template such as {{ lookup.extension }}.", hu: "Szám, vagy sablon, pl. {{ lookup.extension }}." },
  }),
  ring_timeout_s: secondsField({ en: "Ring for", hu: "Csengetési idő" }, RING_TIMEOUT_BOUNDS),
});
export type DialExtensionConfig = z.output<typeof dialExtensionConfigSchema>;

export const dialExtensionDefinition: NodeDefinition<"dial_extension", DialExtensionConfig> = {
  type: "dial_extension",
  version: 1,
  label: { en: "Call extension", hu: "Mellék hívása" },
  description: {
    en: "Rings one extension, honouring its own call forwarding.",
    hu: "Egy melléket csörget, annak saját hívásátirányításával együtt.",
  },
  group: "routing",
  icon: "phone-forwarded",
  configSchema: dialExtensionConfigSchema,
  defaults: { extension: "", ring_timeout_s: RING_TIMEOUT_BOUNDS.default },
  waitsForCaller: true,
  ports: () => [...DIAL_PORTS],
  summary: (config, locale) =>
    localized(locale, `Ring ${config.extension} · ${config.ring_timeout_s} s`, `${config.extension} csörgetése · ${config.ring_timeout_s} mp`),
  references: (config) =>
    isTemplate(config.extension) ? [] : [{ kind: "extension", id: config.extension, path: "config.extension" }],
  templateFields: (config) =>
    isTemplate(config.extension) ? [{ path: "config.extension", template: config.extension, kind: "template" }] : [],
  variablesSet: () => [],
};
