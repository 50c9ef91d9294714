import { z } from "zod";
import type { NodeDefinition } from "@/flows/model/types";
import { field, languageSchema, promptField, promptText, truncate } from "@/flows/model/fields";
import { NEXT_OPTIONAL } from "@/flows/nodes/ports";

export const playConfigSchema = z.strictObject({
  text: promptField({ en: "Text to say", hu: "Elhangzó szöveg" }),
  language: field(languageSchema.optional(), {
    title: "Language",
    label: { en: "Language", hu: "Nyelv" },
    widget: "language",
    help: { en: "Empty: the flow's language.", hu: "Üresen: a hívaslogika nyelve." },
  }),
  audio_id: field(z.string().min(1).max(200).optional(), {
    title: "Recorded audio",
    label: { en: "Recorded audio", hu: "Hangfájl" },
    widget: "text",
  }),
});
export type PlayConfig = z.output<typeof playConfigSchema>;

export const playDefinition: NodeDefinition<"play", PlayConfig> = {
  type: "play",
  version: 1,
  label: { en: "Play message", hu: "Bemondás" },
  description: { en: "Says a text (or plays a recording) to the caller.", hu: "Szöveget mond be (vagy hangfájlt játszik le) a hívónak." },
  group: "prompts",
  icon: "volume-2",
  configSchema: playConfigSchema,
  defaults: { text: "" },
  waitsForCaller: true,
  ports: () => [...NEXT_OPTIONAL],
  summary: (config) => truncate(promptText(config.text)),
  references: () => [],
  templateFields: (config) => [{ path: "config.text", template: promptText(config.text), kind: "template" }],
  variablesSet: () => [],
};
