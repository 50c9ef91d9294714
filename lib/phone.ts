import { parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js/min";

/**
 * Normalises a phone number typed in national or international form to E.164,
 * or returns null when it is not a valid number. Isomorphic: forms use it for
 * instant feedback, services use it as the rule.
 */
export function toE164(input: string, defaultRegion: string = "HU"): string | null {
  const trimmed = input.trim();
  if (!trimmed || trimmed.length > 32) return null;
  const parsed = parsePhoneNumberFromString(trimmed, defaultRegion as CountryCode);
  if (!parsed || !parsed.isValid()) return null;
  return parsed.number;
}

/** Human-friendly international format for display: "+36 1 234 5678". */
export function formatPhone(e164: string): string {
  const parsed = parsePhoneNumberFromString(e164);
  return parsed ? parsed.formatInternational() : e164;
}

/** The national form as digits, trunk prefix included ("+36301112233" → "06301112233"); the input itself when it is not a valid number. */
export function nationalDigits(e164: string): string {
  const parsed = parsePhoneNumberFromString(e164);
  return parsed && parsed.isValid() ? parsed.formatNational().replace(/\D/g, "") : e164;
}

/** The national significant number, without country code or trunk prefix ("+36301112233" → "301112233"); the digits of the input when it is not a valid number. */
export function nationalSignificantNumber(e164: string): string {
  const parsed = parsePhoneNumberFromString(e164);
  return parsed && parsed.isValid() ? String(parsed.nationalNumber) : e164.replace(/\D/g, "");
}
