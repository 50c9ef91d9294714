/**
 * Building blocks every operation shares: problem details, list paging,
 * phone numbers and extensions as the API accepts them. Messages are plain
 * English: they go to CRM developers, not through the portal's i18n.
 */
import { z } from "zod";
import { toE164 } from "@/lib/phone";
import { getConfig } from "@/server/config";
import { problemCodes } from "../problem";

export const fieldErrorSchema = z
  .object({
    path: z.string().meta({ description: "Dotted path of the field: `url`, `numbers.0.number`; `query.limit`, `path.id`, `header.Idempotency-Key` outside the body; empty for the body as a whole" }),
    field: z.string().min(1).optional().meta({ description: "The field's own name (the path's last name)" }),
    code: z
      .string()
      .min(1)
      .meta({ description: "Stable machine code, e.g. `required`, `unknown_field`, `too_small`, `too_big`, `invalid_type`, `invalid_format`, `invalid_value`, `invalid_url`, `duplicate`, `not_found`" }),
    message: z.string().min(1).meta({ description: "What is wrong, in English, for a person" }),
  })
  .meta({ id: "FieldError" });

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.enum(problemCodes).meta({ description: "Stable machine code of the problem" }),
    detail: z.string().min(1).meta({ description: "What went wrong and what to do, in English, for a person" }),
    errors: z.array(fieldErrorSchema).optional(),
  })
  .meta({ id: "Problem", description: "RFC 9457 problem details (application/problem+json); `errors` names each offending field." });

/** `?limit=&offset=&search=` (API.md §Conventions). Extend it for list-specific filters. */
export const listQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50).describe("Page size, 1–500"),
  offset: z.coerce.number().int().min(0).default(0).describe("Items to skip"),
  search: z.string().trim().max(200).optional().describe("Case-insensitive text filter"),
});
export type ListQuery = z.output<typeof listQuerySchema>;

export function listResponseSchema<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), total: z.number().int().describe("Matching items before paging") });
}

/** Paging and search over a list already in memory (small lists: users, flows, numbers). */
export function paginate<T>(items: readonly T[], query: ListQuery, searchText: (item: T) => string): { items: T[]; total: number } {
  const needle = query.search?.toLocaleLowerCase();
  const matching = needle ? items.filter((item) => searchText(item).toLocaleLowerCase().includes(needle)) : items;
  return { items: matching.slice(query.offset, query.offset + query.limit), total: matching.length };
}

/** A phone number in E.164 or national form (DEFAULT_REGION); the parsed value is E.164. */
export const phoneNumberInputSchema = z
  .string()
  .max(32, "A phone number has at most 32 characters")
  .transform((value, ctx) => {
    const e164 = toE164(value, getConfig().DEFAULT_REGION);
    if (!e164) {
      ctx.addIssue({ code: "custom", message: `${JSON.stringify(value)} is not a valid phone number (E.164 or national form)` });
      return z.NEVER;
    }
    return e164;
  })
  .meta({ description: "E.164 (`+3612345678`) or national form (`06 1 234 5678`)", examples: ["+3612345678"] });

export const e164Schema = z.string().meta({ description: "E.164 phone number", examples: ["+3612345678"] });

export const extensionSchema = z
  .string()
  .regex(/^[1-9]\d{1,5}$/, "An extension is 2–6 digits, not starting with 0")
  .meta({ examples: ["101"] });

/** Either an extension or a phone number (E.164 or national): what dialling accepts. */
export const dialTargetSchema = z
  .string()
  .trim()
  .min(1, "Required")
  .max(32, "At most 32 characters")
  .refine((value) => /^[1-9]\d{1,5}$/.test(value) || toE164(value, getConfig().DEFAULT_REGION) !== null, "Neither an extension nor a valid phone number")
  .meta({ description: "An extension (`102`) or a phone number in E.164 or national form", examples: ["+36301112233", "102"] });

export const isoTimeSchema = z.string().meta({ description: "ISO 8601 UTC time", examples: ["2026-11-24T09:00:00.000Z"] });

export const idPathSchema = z.object({ id: z.string().min(1).max(100) });
