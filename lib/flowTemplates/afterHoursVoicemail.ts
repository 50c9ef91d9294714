import type { Locale } from "@/flows/model/types";
import { edges, node, say } from "./build";

/** Reception rings in opening hours; after hours (or when nobody answers) callers leave a voicemail. */
export function afterHoursVoicemail(locale: Locale, name: string) {
  return {
    schema_version: 1,
    name,
    language: locale,
    nodes: [
      node("start", "start", 0, 0),
      node("hours", "time_condition", 1, 0, {
        timezone: "Europe/Budapest",
        schedule: [{ days: ["mon", "tue", "wed", "thu", "fri"], from: "09:00", to: "17:00" }],
        holidays: [],
        use_public_holidays: true,
        holiday_country: "HU",
      }),
      node("reception", "dial_extension", 2, -1, { extension: "101", ring_timeout_s: 25 }, say(locale, "Reception", "Recepció")),
      node("closed", "play", 2, 1, {
        text: say(locale, "Our office is closed now.", "Irodánk jelenleg zárva tart."),
      }, say(locale, "Closed message", "Zárva bemondás")),
      node("mailbox", "voicemail", 3, 0, {
        mailbox_extension: "101",
        greeting: say(locale, "Please leave your name, number and message after the tone.", "Kérjük, a sípszó után hagyja meg nevét, számát és üzenetét."),
        max_length_s: 180,
      }),
      node("bye", "hangup", 3, 1.4),
    ],
    edges: edges(
      "start:next->hours",
      "hours:open->reception",
      "hours:closed->closed",
      "reception:no_answer->mailbox",
      "reception:busy->mailbox",
      "reception:failed->mailbox",
      "closed:next->mailbox",
      "mailbox:next->bye",
    ),
  };
}
