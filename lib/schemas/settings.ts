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

export const installationSettingsSchema = z.strictObject({
  organisationName: organisationNameSchema,
  /** The language of users created without one (portal, CLI); the first admin's choice at first run. */
  defaultLocale: localeSchema,
  /** Delivered (succeeded) and expired webhooks older than this are pruned; failed and dead ones are kept. */
  deliveryRetentionDays: deliveryRetentionDaysSchema,
});
export type InstallationSettingsInput = z.input<typeof installationSettingsSchema>;
export type InstallationSettings = z.output<typeof installationSettingsSchema>;
