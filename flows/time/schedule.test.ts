import { describe, expect, it } from "vitest";
import { isPublicHoliday, isSupportedHolidayCountry } from "@/flows/time/holidays";
import { localTime } from "@/flows/time/localTime";
import { type OpeningHours, isOpen } from "@/flows/time/schedule";

const weekdays: OpeningHours = {
  timezone: "Europe/Budapest",
  schedule: [{ days: ["mon", "tue", "wed", "thu", "fri"], from: "08:00", to: "17:00" }],
  holidays: [],
  use_public_holidays: false,
  holiday_country: "HU",
};

const at = (iso: string) => Date.parse(iso);

describe("localTime", () => {
  it("follows Budapest's DST changes", () => {
    // 2026-03-29: 02:00 CET jumps to 03:00 CEST.
    expect(localTime(at("2026-03-29T00:59:00Z"), "Europe/Budapest")).toEqual({ date: "2026-03-29", weekday: "sun", minutes: 119 });
    expect(localTime(at("2026-03-29T01:00:00Z"), "Europe/Budapest")).toEqual({ date: "2026-03-29", weekday: "sun", minutes: 180 });
    // 2026-10-25: 03:00 CEST falls back to 02:00 CET, so 02:30 happens twice.
    expect(localTime(at("2026-10-25T00:30:00Z"), "Europe/Budapest").minutes).toBe(150);
    expect(localTime(at("2026-10-25T01:30:00Z"), "Europe/Budapest").minutes).toBe(150);
  });
});

describe("isOpen", () => {
  it("uses local wall time on both sides of the DST changes", () => {
    // Mon 2026-03-30 08:00 CEST = 06:00Z; the Monday before (CET) 08:00 = 07:00Z.
    expect(isOpen(weekdays, at("2026-03-30T06:00:00Z"))).toBe(true);
    expect(isOpen(weekdays, at("2026-03-30T05:59:00Z"))).toBe(false);
    expect(isOpen(weekdays, at("2026-03-23T06:30:00Z"))).toBe(false);
    expect(isOpen(weekdays, at("2026-03-23T07:00:00Z"))).toBe(true);
    // Mon 2026-10-26 is CET again: 17:00 local = 16:00Z.
    expect(isOpen(weekdays, at("2026-10-26T15:59:00Z"))).toBe(true);
    expect(isOpen(weekdays, at("2026-10-26T16:00:00Z"))).toBe(false);
  });

  it("handles the DST change night itself", () => {
    const night: OpeningHours = { ...weekdays, schedule: [{ days: ["sun"], from: "01:00", to: "04:00" }] };
    expect(isOpen(night, at("2026-03-29T00:30:00Z"))).toBe(true); // 01:30 CET
    expect(isOpen(night, at("2026-03-29T01:30:00Z"))).toBe(true); // 03:30 CEST
    expect(isOpen(night, at("2026-03-29T02:00:00Z"))).toBe(false); // 04:00 CEST
    expect(isOpen(night, at("2026-10-25T02:30:00Z"))).toBe(true); // 03:30 CET, after the repeated hour
    expect(isOpen(night, at("2026-10-25T03:00:00Z"))).toBe(false); // 04:00 CET
  });

  it("supports ranges to 24:00 and past midnight", () => {
    const lateShift: OpeningHours = { ...weekdays, schedule: [{ days: ["fri"], from: "22:00", to: "06:00" }] };
    expect(isOpen(lateShift, at("2026-01-09T21:30:00Z"))).toBe(true); // Fri 22:30
    expect(isOpen(lateShift, at("2026-01-10T04:00:00Z"))).toBe(true); // Sat 05:00
    expect(isOpen(lateShift, at("2026-01-10T05:00:00Z"))).toBe(false); // Sat 06:00
    expect(isOpen(lateShift, at("2026-01-08T22:30:00Z"))).toBe(false); // Thu 23:30
    const untilMidnight: OpeningHours = { ...weekdays, schedule: [{ days: ["sat"], from: "18:00", to: "24:00" }] };
    expect(isOpen(untilMidnight, at("2026-01-10T22:59:00Z"))).toBe(true); // Sat 23:59
    expect(isOpen(untilMidnight, at("2026-01-10T23:00:00Z"))).toBe(false); // Sun 00:00
  });

  it("is closed on listed holidays, in local dates", () => {
    const withHoliday: OpeningHours = { ...weekdays, holidays: ["2026-12-24"] };
    expect(isOpen(withHoliday, at("2026-12-24T09:00:00Z"))).toBe(false);
    expect(isOpen(withHoliday, at("2026-12-23T09:00:00Z"))).toBe(true);
  });

  it("closes on Hungarian public holidays, including movable feasts, when asked", () => {
    const withPublic: OpeningHours = { ...weekdays, use_public_holidays: true };
    expect(isOpen(withPublic, at("2026-04-06T09:00:00Z"))).toBe(false); // Easter Monday
    expect(isOpen(withPublic, at("2026-05-25T09:00:00Z"))).toBe(false); // Whit Monday
    expect(isOpen(withPublic, at("2026-04-03T09:00:00Z"))).toBe(false); // Good Friday
    expect(isOpen(withPublic, at("2027-03-29T09:00:00Z"))).toBe(false); // Easter Monday 2027
    expect(isOpen(withPublic, at("2026-04-07T09:00:00Z"))).toBe(true);
    expect(isOpen(weekdays, at("2026-04-06T09:00:00Z"))).toBe(true); // not asked
    // Christmas Eve is only an "optional" holiday in Hungary: still open.
    expect(isOpen(withPublic, at("2026-12-24T09:00:00Z"))).toBe(true);
  });

  it("works in other time zones and countries", () => {
    const newYork: OpeningHours = { ...weekdays, timezone: "America/New_York", holiday_country: "US", use_public_holidays: true };
    expect(isOpen(newYork, at("2026-01-05T14:00:00Z"))).toBe(true); // 09:00 EST
    expect(isOpen(newYork, at("2026-01-05T12:00:00Z"))).toBe(false); // 07:00 EST
    expect(isOpen(newYork, at("2026-07-03T14:00:00Z"))).toBe(false); // Independence Day observed
  });
});

describe("public holidays", () => {
  it("knows supported countries and only counts public days off", () => {
    expect(isSupportedHolidayCountry("HU")).toBe(true);
    expect(isSupportedHolidayCountry("XX")).toBe(false);
    expect(isPublicHoliday("XX", "2026-01-01")).toBe(false);
    expect(isPublicHoliday("HU", "2026-03-15")).toBe(true);
    expect(isPublicHoliday("HU", "2026-03-08")).toBe(false); // Women's Day: an observance
  });
});
