import { z } from "zod";
import type { NodeDefinition } from "@/flows/model/types";
import { extensionSchema, field, promptField, promptReferences, promptText, secondsField } from "@/flows/model/fields";
import { NEXT_OPTIONAL, localized } from "@/flows/nodes/ports";

export const voicemailConfigSchema = z.strictObject({
  mailbox_extension: field(extensionSchema, { title: "Mailbox", label: { en: "Mailbox of extension", hu: "Mellék hangpostája" }, widget: "extension" }),
  greeting: field(promptField({ en: "Greeting", hu: "Üdvözlés" }).optional(), {
    title: "Greeting",
    label: { en: "Greeting", hu: "Üdvözlés" },
    widget: "prompt",
  }),
  max_length_s: secondsField({ en: "Longest message", hu: "Leghosszabb üzenet" }, { min: 5, max: 600, default: 120 }),
});
export type VoicemailConfig = z.output<typeof voicemailConfigSchema>;

export const voicemailDefinition: NodeDefinition<"voicemail", VoicemailConfig> = {
  type: "voicemail",
  version: 1,
  label: { en: "Voicemail", hu: "Hangposta" },
  description: { en: "Lets the caller leave a message in an extension's mailbox.", hu: "Üzenetet hagyhat a hívó egy mellék hangpostájában." },
  group: "call_centre",
  icon: "voicemail",
  configSchema: voicemailConfigSchema,
  defaults: { mailbox_extension: "", max_length_s: 120 },
  waitsForCaller: true,
  ports: () => [...NEXT_OPTIONAL],
  summary: (config, locale) => localized(locale, `Mailbox ${config.mailbox_extension}`, `${config.mailbox_extension} hangpostája`),
  references: (config) => [
    { kind: "extension", id: config.mailbox_extension, path: "config.mailbox_extension" },
    ...promptReferences(config.greeting, "config.greeting"),
  ],
  templateFields: (config) =>
    config.greeting === undefined ? [] : [{ path: "config.greeting", template: promptText(config.greeting), kind: "template" }],
  variablesSet: () => [],
};
