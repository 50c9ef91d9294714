import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { createTestDb } from "@/tests/helpers/db";
import type { Db } from "../db/client";
import { getDefaultLocale, getDeliveryRetentionDays, getInstallationSettings, getPublicUrl, setSetting, settingKeys, updateInstallationSettings } from "./settings";
import { createFirstAdmin } from "./setup";
import { createUser } from "./users";

let db: Db;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ db, cleanup } = await createTestDb()));
afterEach(() => cleanup());

async function zodPaths(fn: () => Promise<unknown>): Promise<Record<string, string>> {
  try {
    await fn();
  } catch (error) {
    if (error instanceof ZodError) return Object.fromEntries(error.issues.map((i) => [i.path.join("."), i.message]));
    throw error;
  }
  throw new Error("expected a ZodError");
}

const valid = { organisationName: "Példa Kft.", defaultLocale: "hu" as const, deliveryRetentionDays: 7, publicUrl: "" };

describe("installation settings", () => {
  it("has sensible defaults on a fresh install: English, 30 days, no public address", async () => {
    expect(await getInstallationSettings(db)).toEqual({ organisationName: "", defaultLocale: "en", deliveryRetentionDays: 30, publicUrl: "" });
  });

  it("saves and reads back the organisation name, default language and retention", async () => {
    expect(await updateInstallationSettings(db, { ...valid, organisationName: "  Minta Zrt.  " })).toEqual({ ...valid, organisationName: "Minta Zrt." });
    expect(await getInstallationSettings(db)).toEqual({ ...valid, organisationName: "Minta Zrt." });
    expect(await getDeliveryRetentionDays(db)).toBe(7);
    expect(await getDefaultLocale(db)).toBe("hu");
  });

  it("refuses an empty name and retention outside 1–365 days, field by field, storing nothing", async () => {
    expect(await zodPaths(() => updateInstallationSettings(db, { ...valid, organisationName: " " }))).toEqual({ organisationName: "errors.required" });
    for (const days of [0, 366, 2.5, Number.NaN]) {
      expect(await zodPaths(() => updateInstallationSettings(db, { ...valid, deliveryRetentionDays: days }))).toEqual({ deliveryRetentionDays: "settings.errors.retentionRange" });
    }
    expect(await zodPaths(() => updateInstallationSettings(db, { ...valid, defaultLocale: "de" as never }))).toHaveProperty("defaultLocale");
    expect((await updateInstallationSettings(db, { ...valid, deliveryRetentionDays: 1 })).deliveryRetentionDays).toBe(1);
    expect((await updateInstallationSettings(db, { ...valid, deliveryRetentionDays: 365 })).deliveryRetentionDays).toBe(365);
    expect((await getInstallationSettings(db)).organisationName).toBe("Példa Kft.");
  });

  it("saves the public address as a bare origin, and clears it when emptied", async () => {
    for (const [typed, stored] of [
      ["https://pbx.example.com", "https://pbx.example.com"],
      ["  https://PBX.Example.com/  ", "https://pbx.example.com"],
      ["http://10.0.0.5:3000", "http://10.0.0.5:3000"],
    ]) {
      expect((await updateInstallationSettings(db, { ...valid, publicUrl: typed })).publicUrl).toBe(stored);
      expect(await getPublicUrl(db)).toBe(stored);
    }
    expect((await updateInstallationSettings(db, { ...valid, publicUrl: "" })).publicUrl).toBe("");
    expect(await getPublicUrl(db)).toBe("");
  });

  it("refuses a public address that is not an http(s) origin, storing nothing", async () => {
    await updateInstallationSettings(db, { ...valid, publicUrl: "https://pbx.example.com" });
    for (const publicUrl of [
      "pbx.example.com",
      "ftp://pbx.example.com",
      "https://pbx.example.com/switchboard",
      "https://pbx.example.com/?x=1",
      "https://pbx.example.com#top",
      "https://admin:secret@pbx.example.com",
      "javascript:alert(1)",
      `https://${"a".repeat(200)}.com`,
    ]) {
      expect(await zodPaths(() => updateInstallationSettings(db, { ...valid, organisationName: "Más Kft.", publicUrl })), publicUrl).toEqual({ publicUrl: "settings.errors.publicUrl" });
    }
    expect(await getInstallationSettings(db)).toMatchObject({ organisationName: "Példa Kft.", publicUrl: "https://pbx.example.com" });
  });

  it("falls back to the defaults when a stored value is unusable", async () => {
    await setSetting(db, settingKeys.deliveryRetentionDays, 9999);
    await setSetting(db, settingKeys.defaultLocale, "xx");
    await setSetting(db, settingKeys.publicUrl, "https://pbx.example.com/path");
    expect(await getPublicUrl(db)).toBe("");
    expect(await getDeliveryRetentionDays(db)).toBe(30);
    expect(await getDefaultLocale(db)).toBe("en");
  });
});

describe("default language of new users", () => {
  const user = { email: "eva@example.com", firstName: "Éva", role: "user" as const, password: "a good long password" };

  it("is the setting when no language is given, and an explicit language wins", async () => {
    expect((await createUser(db, user)).locale).toBe("en");
    await updateInstallationSettings(db, valid);
    expect((await createUser(db, { ...user, email: "b@example.com" })).locale).toBe("hu");
    expect((await createUser(db, { ...user, email: "c@example.com", locale: "en" })).locale).toBe("en");
  });

  it("starts as the first admin's language, with the organisation name from the first-run form", async () => {
    await createFirstAdmin(db, { organisation: "Példa Kft.", email: "boss@example.com", firstName: "Béla", password: "a good long password", locale: "hu" });
    expect(await getInstallationSettings(db)).toEqual({ organisationName: "Példa Kft.", defaultLocale: "hu", deliveryRetentionDays: 30, publicUrl: "" });
    expect((await createUser(db, user)).locale).toBe("hu");
  });
});
