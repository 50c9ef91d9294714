/**
 * Starter templates offered when creating a flow. Each builds a plain flow
 * document in the admin's language; references to queues and CRM APIs are
 * placeholders that validation flags until the admin picks real ones.
 */
import type { Locale, LocalizedText } from "@/flows/model/types";
import { afterHoursVoicemail } from "./afterHoursVoicemail";
import { businessHoursMenu } from "./businessHoursMenu";
import { crmOwnerRouting } from "./crmOwnerRouting";

export interface StarterTemplate {
  id: "empty" | "business_hours_menu" | "crm_owner_routing" | "after_hours_voicemail";
  title: LocalizedText;
  description: LocalizedText;
  /** A raw flow document (read it with parseFlowDocument). */
  build(locale: Locale, name: string): unknown;
}

export const starterTemplates: readonly StarterTemplate[] = [
  {
    id: "empty",
    title: { en: "Empty flow", hu: "Üres hívaslogika" },
    description: { en: "Just the start node: draw everything yourself.", hu: "Csak a kezdőpont: mindent Ön rajzol meg." },
    build: (_locale, name) => ({
      schema_version: 1,
      name,
      nodes: [{ id: "start", type: "start", position: { x: 0, y: 0 }, config: {} }],
      edges: [],
    }),
  },
  {
    id: "business_hours_menu",
    title: { en: "Business hours and menu", hu: "Nyitvatartás és menü" },
    description: {
      en: "In opening hours a key menu for sales and support; outside them a closed message.",
      hu: "Nyitvatartási időben gombos menü (értékesítés, ügyfélszolgálat), azon kívül zárva bemondás.",
    },
    build: businessHoursMenu,
  },
  {
    id: "crm_owner_routing",
    title: { en: "CRM look-up to the account manager", hu: "CRM alapján az ügyfélfelelőshöz" },
    description: {
      en: "Asks the CRM who owns the caller and rings that colleague; otherwise the support queue.",
      hu: "Lekérdezi a CRM-ből a hívó ügyfélfelelősét és őt csörgeti; egyébként az ügyfélszolgálati várólista.",
    },
    build: crmOwnerRouting,
  },
  {
    id: "after_hours_voicemail",
    title: { en: "After-hours voicemail", hu: "Munkaidőn túli hangposta" },
    description: {
      en: "Reception rings in opening hours; after hours or without an answer callers leave a message.",
      hu: "Munkaidőben a recepció csörög; azon kívül vagy ha nem veszik fel, a hívó üzenetet hagyhat.",
    },
    build: afterHoursVoicemail,
  },
];
