import type { Locale } from "@/flows/model/types";
import { edges, node, say } from "./build";

/** Opening hours first; when open a menu (sales ring group, support queue), when closed a message. */
export function businessHoursMenu(locale: Locale, name: string) {
  return {
    schema_version: 1,
    name,
    language: locale,
    nodes: [
      node("start", "start", 0, 0),
      node("hours", "time_condition", 1, 0, {
        timezone: "Europe/Budapest",
        schedule: [{ days: ["mon", "tue", "wed", "thu", "fri"], from: "08:00", to: "17:00" }],
        holidays: [],
        use_public_holidays: true,
        holiday_country: "HU",
      }),
      node("menu", "menu", 2, -1, {
        prompt: say(locale, "Welcome! For sales press 1, for customer support press 2.", "Üdvözöljük! Értékesítés: 1-es gomb, ügyfélszolgálat: 2-es gomb."),
        options: ["1", "2"],
        timeout_s: 5,
        max_retries: 2,
        invalid_prompt: say(locale, "Sorry, that is not an option.", "Sajnos ilyen lehetőség nincs."),
      }, say(locale, "Main menu", "Főmenü")),
      node("sales", "ring_group", 3, -1.6, { extensions: ["101", "102"], strategy: "simultaneous", ring_timeout_s: 25 }, say(locale, "Sales", "Értékesítés")),
      node("support", "queue", 3, 0, {
        queue_id: "support",
        max_wait_s: 180,
        hold_prompt: say(locale, "Please hold, a colleague will be with you shortly.", "Kérjük, tartsa a vonalat, kollégánk hamarosan jelentkezik."),
      }, say(locale, "Customer support", "Ügyfélszolgálat")),
      node("closed", "play", 2, 1, {
        text: say(locale, "We are closed now. Please call us again on weekdays between 8 am and 5 pm.", "Jelenleg zárva vagyunk. Hétköznap 8 és 17 óra között várjuk hívását."),
      }, say(locale, "Closed message", "Zárva bemondás")),
      node("bye", "hangup", 3, 1.4),
    ],
    edges: edges(
      "start:next->hours",
      "hours:open->menu",
      "hours:closed->closed",
      "menu:1->sales",
      "menu:2->support",
      "menu:timeout->support",
      "menu:invalid->bye",
      "sales:no_answer->support",
      "support:timeout->bye",
      "support:no_agents->bye",
      "closed:next->bye",
    ),
  };
}
