import { z } from "zod";

/**
 * Input schemas of the directory (users, extensions, DIDs), shared by the
 * portal forms (instant field errors) and the services (the rule). Custom
 * messages are i18n keys under `errors.` that the UI translates.
 */
export const roleSchema = z.enum(["admin", "user"]);
export const localeSchema = z.enum(["en", "hu"]);
export type Role = z.infer<typeof roleSchema>;
export type Locale = z.infer<typeof localeSchema>;

export const extensionNumberSchema = z.string().trim().regex(/^[1-9]\d{1,5}$/, { error: "errors.extensionNumber" });

export const passwordSchema = z.string().min(10, { error: "errors.passwordTooShort" }).max(200);

const nameSchema = z.string().trim().min(1, { error: "errors.required" }).max(80);

export const userCreateSchema = z.strictObject({
  email: z.email({ error: "errors.email" }).max(200),
  firstName: nameSchema,
  lastName: z.string().trim().max(80).default(""),
  role: roleSchema,
  password: passwordSchema,
  locale: localeSchema.optional(),
});
export type UserCreateInput = z.input<typeof userCreateSchema>;

export const userUpdateSchema = z.strictObject({
  id: z.string().min(1),
  email: z.email({ error: "errors.email" }).max(200),
  firstName: nameSchema,
  lastName: z.string().trim().max(80),
  role: roleSchema,
  enabled: z.boolean(),
  /** Empty keeps the current password. */
  password: z.union([z.literal(""), passwordSchema]).optional(),
});
export type UserUpdateInput = z.input<typeof userUpdateSchema>;

export const extensionInputSchema = z.strictObject({
  number: extensionNumberSchema,
  name: nameSchema,
  ownerUserId: z.string().min(1).nullable(),
  enabled: z.boolean().default(true),
});
export type ExtensionInput = z.input<typeof extensionInputSchema>;

export const phoneNumberInputSchema = z.strictObject({
  /** National or E.164 form; the service stores E.164. */
  number: z.string().trim().min(3, { error: "errors.phoneNumber" }).max(32),
  label: z.string().trim().max(80).default(""),
  flowId: z.string().min(1).nullable().default(null),
});
export type PhoneNumberInput = z.input<typeof phoneNumberInputSchema>;

export const firstAdminSchema = z.strictObject({
  organisation: z.string().trim().min(1, { error: "errors.required" }).max(120),
  email: z.email({ error: "errors.email" }).max(200),
  firstName: nameSchema,
  lastName: z.string().trim().max(80).default(""),
  password: passwordSchema,
  locale: localeSchema,
});
export type FirstAdminInput = z.input<typeof firstAdminSchema>;
