import { parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js";

/** Extensions and short codes: up to 6 digits, kept as typed. */
const SHORT_NUMBER = /^\d{1,6}$/;

/**
 * Brings a dialled or presented number to the form the directory keys on:
 * extensions as they are, phone numbers in E.164 (national form is read in
 * `region`). Anything unparseable comes back trimmed of punctuation.
 */
export function normalizeNumber(raw: string, region: CountryCode): string {
  const trimmed = raw.trim();
  if (SHORT_NUMBER.test(trimmed)) return trimmed;
  const parsed = parsePhoneNumberFromString(trimmed, region);
  return parsed?.isPossible() ? parsed.number : trimmed.replace(/[\s().-]/g, "");
}
