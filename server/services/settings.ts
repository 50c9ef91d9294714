import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { transaction } from "../db/transaction";
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

export async function getSetting<T>(db: Db, key: string): Promise<T | undefined> {
  const [row] = await db.select().from(settings).where(eq(settings.key, key)).limit(1);
  return row?.value as T | undefined;
}

export async function setSetting(db: Db, key: string, value: unknown): Promise<void> {
  await db.insert(settings).values({ key, value }).onConflictDoUpdate({ target: settings.key, set: { value } });
}

/** The keys of the Settings page in the `settings` table. */
export const settingKeys = {
  organisationName: "organisation_name",
  defaultLocale: "default_locale",
  deliveryRetentionDays: "delivery_retention_days",
  publicUrl: "public_url",
} as const;

/** The language of new users when none is given; English on installs that never chose one. */
export async function getDefaultLocale(db: Db): Promise<Locale> {
  const parsed = localeSchema.safeParse(await getSetting(db, settingKeys.defaultLocale));
  return parsed.success ? parsed.data : "en";
}

/** Days delivered and expired webhooks stay in the delivery log; a stored value out of range falls back to the default. */
export async function getDeliveryRetentionDays(db: Db): Promise<number> {
  const parsed = deliveryRetentionDaysSchema.safeParse(await getSetting(db, settingKeys.deliveryRetentionDays));
  return parsed.success ? parsed.data : retentionDaysRange.default;
}

/** This server's public origin ("" when not set); read per use, so a change on the Settings page reaches the next message in every bundle. */
export async function getPublicUrl(db: Db): Promise<string> {
  const parsed = publicUrlSchema.safeParse((await getSetting(db, settingKeys.publicUrl)) ?? "");
  return parsed.success ? parsed.data : "";
}

export async function getInstallationSettings(db: Db): Promise<InstallationSettings> {
  return {
    organisationName: (await getSetting<string>(db, settingKeys.organisationName)) ?? "",
    defaultLocale: await getDefaultLocale(db),
    deliveryRetentionDays: await getDeliveryRetentionDays(db),
    publicUrl: await getPublicUrl(db),
  };
}

export async function updateInstallationSettings(db: Db, input: InstallationSettingsInput): Promise<InstallationSettings> {
  const data = installationSettingsSchema.parse(input);
  await transaction(db, async (tx) => {
    await setSetting(tx, settingKeys.organisationName, data.organisationName);
    await setSetting(tx, settingKeys.defaultLocale, data.defaultLocale);
    await setSetting(tx, settingKeys.deliveryRetentionDays, data.deliveryRetentionDays);
    await setSetting(tx, settingKeys.publicUrl, data.publicUrl);
  });
  return getInstallationSettings(db);
}
