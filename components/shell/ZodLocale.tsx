"use client";
import { useLocale } from "next-intl";
import { z } from "zod";

/** zod's built-in messages follow the UI language (custom messages are i18n keys anyway). */
export function ZodLocale() {
  const locale = useLocale();
  z.config(locale === "hu" ? z.locales.hu() : z.locales.en());
  return null;
}
