/** Port labels shared by several node types, so the canvas speaks one language. */
import type { LocalizedText, PortSpec } from "@/flows/model/types";

export const PORT_LABELS = {
  next: { en: "Next", hu: "Tovább" },
  timeout: { en: "Timeout", hu: "Időtúllépés" },
  invalid: { en: "Invalid input", hu: "Érvénytelen" },
  open: { en: "Open", hu: "Nyitva" },
  closed: { en: "Closed", hu: "Zárva" },
  found: { en: "Found", hu: "Találat" },
  not_found: { en: "Not found", hu: "Nincs találat" },
  error: { en: "Error or timeout", hu: "Hiba vagy időtúllépés" },
  answered: { en: "Answered", hu: "Fogadva" },
  no_answer: { en: "No answer", hu: "Nem fogadott" },
  busy: { en: "Busy", hu: "Foglalt" },
  failed: { en: "Failed", hu: "Sikertelen" },
  no_agents: { en: "No agents", hu: "Nincs operátor" },
  else: { en: "Otherwise", hu: "Egyébként" },
} as const satisfies Record<string, LocalizedText>;

export type CommonPort = keyof typeof PORT_LABELS;

export function port(id: CommonPort, required: boolean): PortSpec {
  return { id, label: PORT_LABELS[id], required };
}

/** The caller was put through: when the conversation is over, the flow is usually over too. */
export const ANSWERED: PortSpec = { ...port("answered", false), endsCall: true };

export const NEXT_REQUIRED: readonly PortSpec[] = [port("next", true)];
export const NEXT_OPTIONAL: readonly PortSpec[] = [port("next", false)];
export const DIAL_PORTS: readonly PortSpec[] = [
  ANSWERED,
  port("no_answer", false),
  port("busy", false),
  port("failed", false),
];

export function localized(locale: "en" | "hu", en: string, hu: string): string {
  return locale === "hu" ? hu : en;
}
