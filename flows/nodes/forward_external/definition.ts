import { z } from "zod";
import type { NodeDefinition } from "@/flows/model/types";
import { RING_TIMEOUT_BOUNDS, field, isTemplate, secondsField } from "@/flows/model/fields";
import { DIAL_PORTS, localized } from "@/flows/nodes/ports";

/** E.164 or national form; separators allowed. The telephony side normalises it. */
export const EXTERNAL_NUMBER_PATTERN = /^\+?[0-9][0-9 ()/-]{2,24}$/;

export const forwardExternalConfigSchema = z.strictObject({
  number: field(
    z
      .string()
      .trim()
      .min(1, "Enter a phone number")
      .max(500)
      .refine((value) => isTemplate(value) || EXTERNAL_NUMBER_PATTERN.test(value), "Not a phone number (or a template)"),
    {
      title: "Phone number",
      label: { en: "Phone number", hu: "Telefonszám" },
      widget: "template",
    },
  ),
  ring_timeout_s: secondsField({ en: "Ring for", hu: "Csengetési idő" }, RING_TIMEOUT_BOUNDS),
});
export type ForwardExternalConfig = z.output<typeof forwardExternalConfigSchema>;

export const forwardExternalDefinition: NodeDefinition<"forward_external", ForwardExternalConfig> = {
  type: "forward_external",
  version: 1,
  label: { en: "Forward to number", hu: "Továbbítás külső számra" },
  description: { en: "Forwards the call to an external phone number.", hu: "Külső telefonszámra továbbítja a hívást." },
  group: "routing",
  icon: "phone-outgoing",
  configSchema: forwardExternalConfigSchema,
  defaults: { number: "", ring_timeout_s: RING_TIMEOUT_BOUNDS.default },
  waitsForCaller: true,
  ports: () => [...DIAL_PORTS],
  summary: (config, locale) => localized(locale, `Forward to ${config.number}`, `Továbbítás: ${config.number}`),
  references: () => [],
  templateFields: (config) => (isTemplate(config.number) ? [{ path: "config.number", template: config.number, kind: "template" }] : []),
  variablesSet: () => [],
};
