import { z } from "zod";
import type { NodeDefinition } from "@/flows/model/types";
import { RING_TIMEOUT_BOUNDS, extensionSchema, field, secondsField } from "@/flows/model/fields";
import { ANSWERED, localized, port } from "@/flows/nodes/ports";

export const ringGroupConfigSchema = z
  .strictObject({
    extensions: field(z.array(extensionSchema).min(1, "Add at least one extension").max(50), {
      title: "Extensions",
      label: { en: "Extensions", hu: "Mellékek" },
      widget: "extensions",
    }),
    strategy: field(z.enum(["simultaneous", "sequential"]).default("simultaneous"), {
      title: "Ringing",
      label: { en: "Ringing", hu: "Csengetés" },
      widget: "select",
      help: { en: "All at once, or one after the other.", hu: "Egyszerre mind, vagy egymás után." },
    }),
    ring_timeout_s: secondsField({ en: "Ring for", hu: "Csengetési idő" }, RING_TIMEOUT_BOUNDS),
  })
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.extensions.forEach((extension, index) => {
      if (seen.has(extension)) ctx.addIssue({ code: "custom", message: `Extension ${extension} is listed twice`, path: ["extensions", index] });
      seen.add(extension);
    });
  });
export type RingGroupConfig = z.output<typeof ringGroupConfigSchema>;

export const ringGroupDefinition: NodeDefinition<"ring_group", RingGroupConfig> = {
  type: "ring_group",
  version: 1,
  label: { en: "Ring group", hu: "Csoportcsörgetés" },
  description: {
    en: "Rings several extensions, all at once or in turn (their own forwarding is ignored).",
    hu: "Több melléket csörget, egyszerre vagy sorban (saját átirányításuk nélkül).",
  },
  group: "routing",
  icon: "users",
  configSchema: ringGroupConfigSchema,
  defaults: { extensions: [], strategy: "simultaneous", ring_timeout_s: RING_TIMEOUT_BOUNDS.default },
  waitsForCaller: true,
  ports: () => [ANSWERED, port("no_answer", false)],
  summary: (config, locale) =>
    localized(
      locale,
      `${config.strategy === "sequential" ? "In turn" : "All at once"}: ${config.extensions.join(", ")}`,
      `${config.strategy === "sequential" ? "Sorban" : "Egyszerre"}: ${config.extensions.join(", ")}`,
    ),
  references: (config) =>
    config.extensions.map((extension, index) => ({ kind: "extension" as const, id: extension, path: `config.extensions.${index}` })),
  templateFields: () => [],
  variablesSet: () => [],
};
