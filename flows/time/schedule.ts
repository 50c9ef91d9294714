/**
 * Opening hours: is a business open at an instant? Evaluated on the wall
 * clock of the configured time zone, so DST changes need no special cases.
 */
import type { TimeConditionConfig } from "@/flows/nodes/time_condition/definition";
import { isPublicHoliday } from "@/flows/time/holidays";
import { localTime } from "@/flows/time/localTime";
import { WEEKDAYS, type Weekday, minutesOfDay } from "@/flows/time/wallClock";

export type OpeningHours = Pick<TimeConditionConfig, "timezone" | "schedule" | "holidays" | "use_public_holidays" | "holiday_country">;

/**
 * A range whose `to` is not after `from` runs past midnight and belongs to the
 * day it starts on ("fri 22:00–06:00" covers Saturday 00:00–06:00). A holiday
 * closes its whole local date, including such a range's tail.
 */
export function isOpen(config: OpeningHours, instant: number | Date): boolean {
  const local = localTime(typeof instant === "number" ? instant : instant.getTime(), config.timezone);
  if (config.holidays.includes(local.date)) return false;
  if (config.use_public_holidays && isPublicHoliday(config.holiday_country, local.date)) return false;
  const yesterday = previousWeekday(local.weekday);
  return config.schedule.some((entry) => {
    const from = minutesOfDay(entry.from);
    const to = minutesOfDay(entry.to);
    if (from < to) return entry.days.includes(local.weekday) && local.minutes >= from && local.minutes < to;
    return (entry.days.includes(local.weekday) && local.minutes >= from) || (entry.days.includes(yesterday) && local.minutes < to);
  });
}

function previousWeekday(day: Weekday): Weekday {
  return WEEKDAYS[(WEEKDAYS.indexOf(day) + WEEKDAYS.length - 1) % WEEKDAYS.length];
}
