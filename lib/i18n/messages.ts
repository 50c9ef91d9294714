import en from "./en.json";
import hu from "./hu.json";
import editorEn from "./editor.en.json";
import editorHu from "./editor.hu.json";
import type { Locale } from "@/lib/schemas/directory";

export const localeCookie = "sb_locale";
export const locales: readonly Locale[] = ["en", "hu"];

// The flow editor's text lives in its own files (namespace "editor") so the portal and the editor can grow independently.
const catalogues = {
  en: { ...en, editor: editorEn },
  hu: { ...hu, editor: editorHu },
} satisfies Record<Locale, unknown>;

export function messagesFor(locale: Locale) {
  return catalogues[locale];
}
