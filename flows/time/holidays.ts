/** Public holidays per country (date-holidays data), as local YYYY-MM-DD dates; server-side only. */
import Holidays from "date-holidays";

const calendars = new Map<string, Holidays | null>();
const publicDatesByYear = new Map<string, ReadonlySet<string>>();
let supportedCountries: Readonly<Record<string, string>> | undefined;

export function isSupportedHolidayCountry(country: string): boolean {
  supportedCountries ??= new Holidays().getCountries();
  return Object.hasOwn(supportedCountries, country);
}

function calendarFor(country: string): Holidays | null {
  let calendar = calendars.get(country);
  if (calendar === undefined) {
    calendar = isSupportedHolidayCountry(country) ? new Holidays(country) : null;
    calendars.set(country, calendar);
  }
  return calendar;
}

/** Only holidays of type "public" (days off by law): not observances, optional or school days. */
export function publicHolidayDates(country: string, year: number): ReadonlySet<string> {
  const key = `${country}:${year}`;
  let dates = publicDatesByYear.get(key);
  if (!dates) {
    const holidays = calendarFor(country)?.getHolidays(year) ?? [];
    dates = new Set(holidays.filter((holiday) => holiday.type === "public").map((holiday) => holiday.date.slice(0, 10)));
    publicDatesByYear.set(key, dates);
  }
  return dates;
}

/** `date` is a local calendar date, YYYY-MM-DD. */
export function isPublicHoliday(country: string, date: string): boolean {
  return publicHolidayDates(country, Number(date.slice(0, 4))).has(date);
}
