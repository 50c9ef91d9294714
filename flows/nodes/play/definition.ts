import { z } from "zod";
import type { NodeDefinition } from "@/flows/model/types";
import { audioIdSchema, field, languageSchema, promptField, promptReferences, promptText, truncate } from "@/flows/model/fields";
import { NEXT_OPTIONAL } from "@/flows/nodes/ports";

export const playConfigSchema = z.strictObject({
  text: promptField({ en: "Text to say", hu: "Elhangzó szöveg" }),
  language: field(languageSchema.optional(), {
    title: "Language",
    label: { en: "Language", hu: "Nyelv" },
    widget: "language",
    help: { en: "Empty: the flow's language.", hu: "Üresen: a hívaslogika nyelve." },
  }),
  audio_id: field(audioIdSchema.optional(), {
    title: "Recorded audio",
    label: { en: "Recorded audio", hu: "Hangfelvétel" },
    widget: "audio",
    help: {
      en: "When chosen, the caller hears the recording instead of the spoken text; the text stays as its transcript.",
      hu: "Ha választ egyet, a hívó a felvételt hallja a felolvasott szöveg helyett; a szöveg az átirata marad.",
    },
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
  references: (config) => [
    ...promptReferences(config.text, "config.text"),
    ...(config.audio_id === undefined ? [] : [{ kind: "audio_prompt" as const, id: config.audio_id, path: "config.audio_id" }]),
  ],
  templateFields: (config) => [{ path: "config.text", template: promptText(config.text), kind: "template" }],
  variablesSet: () => [],
};
