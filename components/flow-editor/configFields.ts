/**
 * The inspector form of a node type, read from its zod config schema and the
 * field metadata (`.meta`) the flow model attaches: which widget, which
 * label, whether the field may be left empty, and the choices of a select.
 */
import { z } from "zod";
import { type FieldMeta, fieldMeta } from "@/flows/model/fields";
import type { NodeType } from "@/flows/model/types";
import { looseDefinition } from "@/flows/nodes/definitions";

export interface ConfigField {
  key: string;
  meta: FieldMeta;
  /** May be left empty: optional without a default (an emptied field is then left out of the config). */
  optional: boolean;
  /** Choices of a select widget. */
  choices: string[];
  /** The field also takes a template such as `{{ lookup.extension }}` (dial targets). */
  acceptsTemplate: boolean;
}

const cache = new Map<NodeType, ConfigField[]>();

export function configFieldsOf(type: NodeType): ConfigField[] {
  let fields = cache.get(type);
  if (!fields) cache.set(type, (fields = readFields(type)));
  return fields;
}

function readFields(type: NodeType): ConfigField[] {
  const schema = looseDefinition(type).configSchema;
  if (!(schema instanceof z.ZodObject)) return [];
  return Object.entries(schema.shape as Record<string, z.ZodType>).flatMap(([key, field]) => {
    const meta = fieldMeta(field);
    if (!meta) return [];
    const inner = unwrap(field);
    return [
      {
        key,
        meta,
        optional: isOptional(field),
        choices: inner instanceof z.ZodEnum ? (inner.options as string[]) : [],
        acceptsTemplate: inner instanceof z.ZodString && inner.safeParse("{{ lookup.extension }}").success,
      },
    ];
  });
}

function isOptional(schema: z.ZodType): boolean {
  const parsed = schema.safeParse(undefined);
  return parsed.success && parsed.data === undefined;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  while (current instanceof z.ZodOptional || current instanceof z.ZodDefault) current = current.unwrap() as z.ZodType;
  return current;
}
