import { z } from "zod";
import type { NodeDefinition } from "@/flows/model/types";
import { field, idReferenceSchema, promptField, promptReferences, promptText, secondsField } from "@/flows/model/fields";
import { ANSWERED, localized, port } from "@/flows/nodes/ports";

export const queueConfigSchema = z.strictObject({
  queue_id: field(idReferenceSchema, { title: "Queue", label: { en: "Queue", hu: "Várólista" }, widget: "queue" }),
  max_wait_s: secondsField({ en: "Longest wait", hu: "Leghosszabb várakozás" }, { min: 5, max: 7200, default: 300 }),
  hold_prompt: field(promptField({ en: "Hold message", hu: "Várakoztató bemondás" }).optional(), {
    title: "Hold message",
    label: { en: "Hold message", hu: "Várakoztató bemondás" },
    widget: "prompt",
  }),
});
export type QueueConfig = z.output<typeof queueConfigSchema>;

export const queueDefinition: NodeDefinition<"queue", QueueConfig> = {
  type: "queue",
  version: 1,
  label: { en: "Queue", hu: "Várólista" },
  description: {
    en: "Puts the caller in a call-centre queue until an agent answers.",
    hu: "Call center várólistába teszi a hívót, amíg egy operátor fogadja.",
  },
  group: "call_centre",
  icon: "list-ordered",
  configSchema: queueConfigSchema,
  defaults: { queue_id: "", max_wait_s: 300 },
  waitsForCaller: true,
  ports: () => [ANSWERED, port("timeout", false), port("no_agents", false)],
  summary: (config, locale) =>
    localized(locale, `${config.queue_id} · up to ${config.max_wait_s} s`, `${config.queue_id} · legfeljebb ${config.max_wait_s} mp`),
  references: (config) => [{ kind: "queue", id: config.queue_id, path: "config.queue_id" }, ...promptReferences(config.hold_prompt, "config.hold_prompt")],
  templateFields: (config) =>
    config.hold_prompt === undefined ? [] : [{ path: "config.hold_prompt", template: promptText(config.hold_prompt), kind: "template" }],
  variablesSet: () => [],
};
