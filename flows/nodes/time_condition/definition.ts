import { z } from "zod";
import type { NodeDefinition } from "@/flows/model/types";
import { field } from "@/flows/model/fields";
import { localized, port } from "@/flows/nodes/ports";
import { DATE_PATTERN, TIME_OF_DAY_PATTERN, WEEKDAYS, isValidTimeZone, minutesOfDay } from "@/flows/time/wallClock";

export const scheduleEntrySchema = z
  .strictObject({
    days: z.array(z.enum(WEEKDAYS)).min(1, "Pick at least one day"),
    from: z.string().regex(TIME_OF_DAY_PATTERN, "Use HH:MM"),
    to: z.string().regex(TIME_OF_DAY_PATTERN, "Use HH:MM (24:00 for midnight)"),
  })
  .superRefine((entry, ctx) => {
    if (entry.from === "24:00") ctx.addIssue({ code: "custom", message: "A range cannot start at 24:00", path: ["from"] });
    else if (TIME_OF_DAY_PATTERN.test(entry.to) && minutesOfDay(entry.from) === minutesOfDay(entry.to)) {
      ctx.addIssue({ code: "custom", message: "The range is empty: from and to are equal", path: ["to"] });
    }
    if (new Set(entry.days).size !== entry.days.length) ctx.addIssue({ code: "custom", message: "A day is listed twice", path: ["days"] });
  });
export type ScheduleEntry = z.output<typeof scheduleEntrySchema>;

export const timeConditionConfigSchema = z.strictObject({
  timezone: field(
    z.string().default("Europe/Budapest").refine(isValidTimeZone, "Unknown time zone (use an IANA name such as Europe/Budapest)"),
    { title: "Time zone", label: { en: "Time zone", hu: "Időzóna" }, widget: "timezone" },
  ),
  schedule: field(z.array(scheduleEntrySchema).max(50), {
    title: "Opening hours",
    label: { en: "Opening hours", hu: "Nyitvatartás" },
    widget: "schedule",
    help: {
      en: "A range may pass midnight (22:00–06:00 belongs to the day it starts on).",
      hu: "Egy sáv átnyúlhat éjfélen (22:00–06:00 a kezdőnapjához tartozik).",
    },
  }),
  holidays: field(z.array(z.string().regex(DATE_PATTERN, "Use YYYY-MM-DD")).max(366).default([]), {
    title: "Closed on these dates",
    label: { en: "Closed on these dates", hu: "Zárva ezeken a napokon" },
    widget: "dates",
  }),
  // Absent in documents written before the field existed: those keep their behaviour (no public holidays).
  use_public_holidays: field(z.boolean().default(false), {
    title: "Closed on public holidays",
    label: { en: "Closed on public holidays", hu: "Munkaszüneti napokon zárva" },
    widget: "boolean",
  }),
  holiday_country: field(z.string().regex(/^[A-Z]{2}$/, "Use a two-letter country code such as HU").default("HU"), {
    title: "Public holidays of",
    label: { en: "Public holidays of", hu: "Ünnepnapok országa" },
    widget: "country",
  }),
});
export type TimeConditionConfig = z.output<typeof timeConditionConfigSchema>;

const DAY_NAMES = {
  en: { mon: "Mon", tue: "Tue", wed: "Wed", thu: "Thu", fri: "Fri", sat: "Sat", sun: "Sun" },
  hu: { mon: "H", tue: "K", wed: "Sze", thu: "Cs", fri: "P", sat: "Szo", sun: "V" },
} as const;

/** Days as people write them: runs of three or more as a range ("Mon–Fri"), the rest listed ("Mon, Wed"). */
export function dayRanges(days: readonly (typeof WEEKDAYS)[number][], locale: "en" | "hu"): string {
  const names = DAY_NAMES[locale];
  const sorted = WEEKDAYS.filter((day) => days.includes(day));
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let end = i;
    while (end + 1 < sorted.length && WEEKDAYS.indexOf(sorted[end + 1]) === WEEKDAYS.indexOf(sorted[end]) + 1) end++;
    if (end - i >= 2) parts.push(`${names[sorted[i]]}–${names[sorted[end]]}`);
    else for (let j = i; j <= end; j++) parts.push(names[sorted[j]]);
    i = end + 1;
  }
  return parts.join(", ");
}

export const timeConditionDefinition: NodeDefinition<"time_condition", TimeConditionConfig> = {
  type: "time_condition",
  version: 1,
  label: { en: "Opening hours", hu: "Nyitvatartás" },
  description: {
    en: "Routes by the weekly schedule and holidays in the chosen time zone.",
    hu: "A heti nyitvatartás és az ünnepnapok szerint irányít, a megadott időzónában.",
  },
  group: "routing",
  icon: "clock",
  configSchema: timeConditionConfigSchema,
  defaults: {
    timezone: "Europe/Budapest",
    schedule: [{ days: ["mon", "tue", "wed", "thu", "fri"], from: "08:00", to: "17:00" }],
    holidays: [],
    use_public_holidays: true,
    holiday_country: "HU",
  },
  waitsForCaller: false,
  ports: () => [port("open", true), port("closed", true)],
  summary: (config, locale) => {
    const first = config.schedule[0];
    const hours = first ? `${dayRanges(first.days, locale)} ${first.from}–${first.to}` : localized(locale, "always closed", "mindig zárva");
    const more = config.schedule.length > 1 ? ` +${config.schedule.length - 1}` : "";
    return `${hours}${more}`;
  },
  references: () => [],
  templateFields: () => [],
  variablesSet: () => [],
};
