import { z } from "zod";
import { localeSchema } from "./directory";

/**
 * Installation settings (the Settings page), shared by the form (instant field
 * errors) and the service (the rule). Messages are i18n keys the UI translates.
 */
export const retentionDaysRange = { min: 1, max: 365, default: 30 } as const;

const retentionError = { error: "settings.errors.retentionRange" };

export const organisationNameSchema = z.string().trim().min(1, { error: "errors.required" }).max(120, { error: "settings.errors.tooLong" });

export const deliveryRetentionDaysSchema = z
  .number(retentionError)
  .int(retentionError)
  .min(retentionDaysRange.min, retentionError)
  .max(retentionDaysRange.max, retentionError);

const publicUrlError = { error: "settings.errors.publicUrl" };

/** Scheme, host and optional port only: a path, query, fragment or credentials would be pasted into every link. */
function isBareOrigin(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  const withoutSlash = value.replace(/\/$/, "");
  return (url.protocol === "https:" || url.protocol === "http:") && withoutSlash.toLowerCase() === url.origin.toLowerCase();
}

/** An absolute http(s) origin, or "" for none; kept as the URL's origin (lower-case host, no trailing slash). */
export const publicUrlSchema = z
  .string()
  .trim()
  .max(200, publicUrlError)
  .refine((value) => value === "" || isBareOrigin(value), publicUrlError)
  .transform((value) => (value === "" ? "" : new URL(value).origin));

export const installationSettingsSchema = z.strictObject({
  organisationName: organisationNameSchema,
  /** The language of users created without one (portal, CLI); the first admin's choice at first run. */
  defaultLocale: localeSchema,
  /** Delivered (succeeded) and expired webhooks older than this are pruned; failed and dead ones are kept. */
  deliveryRetentionDays: deliveryRetentionDaysSchema,
  /** This server's address as CRMs reach it (e.g. https://pbx.example.com); makes recording links in body templates absolute. */
  publicUrl: publicUrlSchema.default(""),
});
export type InstallationSettingsInput = z.input<typeof installationSettingsSchema>;
export type InstallationSettings = z.output<typeof installationSettingsSchema>;
