import en from "./en.json";
import hu from "./hu.json";
import editorEn from "./editor.en.json";
import editorHu from "./editor.hu.json";
import scenariosEn from "./scenarios.en.json";
import scenariosHu from "./scenarios.hu.json";
import operationsEn from "./operations.en.json";
import operationsHu from "./operations.hu.json";
import integrationEn from "./integration.en.json";
import integrationHu from "./integration.hu.json";
import settingsEn from "./settings.en.json";
import settingsHu from "./settings.hu.json";
import sipTrunksEn from "./sipTrunks.en.json";
import sipTrunksHu from "./sipTrunks.hu.json";
import type { Locale } from "@/lib/schemas/directory";

export const localeCookie = "sb_locale";
export const locales: readonly Locale[] = ["en", "hu"];

/**
 * One catalogue per area of the product, each its own namespace, so areas
 * grow independently: portal shell and directory at the top level, then
 * `editor` (flow editor; its saved test scenarios in their own file), `operations` (phonebook, forwarding, call centre,
 * calls), `integration` (API access, CRM hooks, deliveries), `settings`
 * (installation settings) and `sipTrunks` (the SIP trunks page).
 */
const catalogues = {
  en: { ...en, editor: { ...editorEn, scenarios: scenariosEn }, operations: operationsEn, integration: integrationEn, settings: settingsEn, sipTrunks: sipTrunksEn },
  hu: { ...hu, editor: { ...editorHu, scenarios: scenariosHu }, operations: operationsHu, integration: integrationHu, settings: settingsHu, sipTrunks: sipTrunksHu },
} satisfies Record<Locale, unknown>;

export function messagesFor(locale: Locale) {
  return catalogues[locale];
}
