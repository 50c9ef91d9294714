import en from "./en.json";
import hu from "./hu.json";
import type { Locale } from "@/lib/schemas/directory";

export const localeCookie = "sb_locale";
export const locales: readonly Locale[] = ["en", "hu"];

const catalogues = { en, hu } satisfies Record<Locale, typeof en>;

export function messagesFor(locale: Locale) {
  return catalogues[locale];
}
