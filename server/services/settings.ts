import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { settings } from "../db/schema";
import { localeSchema, type Locale } from "@/lib/schemas/directory";
import {
  deliveryRetentionDaysSchema,
  installationSettingsSchema,
  publicUrlSchema,
  retentionDaysRange,
  type InstallationSettings,
  type InstallationSettingsInput,
} from "@/lib/schemas/settings";

export function getSetting<T>(db: Db, key: string): T | undefined {
  return db.select().from(settings).where(eq(settings.key, key)).get()?.value as T | undefined;
}

export function setSetting(db: Db, key: string, value: unknown): void {
  db.insert(settings).values({ key, value }).onConflictDoUpdate({ target: settings.key, set: { value } }).run();
}

/** The keys of the Settings page in the `settings` table. */
export const settingKeys = {
  organisationName: "organisation_name",
  defaultLocale: "default_locale",
  deliveryRetentionDays: "delivery_retention_days",
  publicUrl: "public_url",
} as const;

/** The language of new users when none is given; English on installs that never chose one. */
export function getDefaultLocale(db: Db): Locale {
  const parsed = localeSchema.safeParse(getSetting(db, settingKeys.defaultLocale));
  return parsed.success ? parsed.data : "en";
}

/** Days delivered and expired webhooks stay in the delivery log; a stored value out of range falls back to the default. */
export function getDeliveryRetentionDays(db: Db): number {
  const parsed = deliveryRetentionDaysSchema.safeParse(getSetting(db, settingKeys.deliveryRetentionDays));
  return parsed.success ? parsed.data : retentionDaysRange.default;
}

/** This server's public origin ("" when not set); read per use, so a change on the Settings page reaches the next message in every bundle. */
export function getPublicUrl(db: Db): string {
  const parsed = publicUrlSchema.safeParse(getSetting(db, settingKeys.publicUrl) ?? "");
  return parsed.success ? parsed.data : "";
}

export function getInstallationSettings(db: Db): InstallationSettings {
  return {
    organisationName: getSetting<string>(db, settingKeys.organisationName) ?? "",
    defaultLocale: getDefaultLocale(db),
    deliveryRetentionDays: getDeliveryRetentionDays(db),
    publicUrl: getPublicUrl(db),
  };
}

export function updateInstallationSettings(db: Db, input: InstallationSettingsInput): InstallationSettings {
  const data = installationSettingsSchema.parse(input);
  db.transaction((tx) => {
    setSetting(tx as unknown as Db, settingKeys.organisationName, data.organisationName);
    setSetting(tx as unknown as Db, settingKeys.defaultLocale, data.defaultLocale);
    setSetting(tx as unknown as Db, settingKeys.deliveryRetentionDays, data.deliveryRetentionDays);
    setSetting(tx as unknown as Db, settingKeys.publicUrl, data.publicUrl);
  });
  return getInstallationSettings(db);
}
