import { describe, expect, it } from "vitest";
import { messagesFor } from "./messages";

const en = messagesFor("en");
const hu = messagesFor("hu");

function keys(value: unknown, prefix = ""): string[] {
  if (typeof value !== "object" || value === null) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
}

describe("UI text", () => {
  it("exists in English and Hungarian with the same keys", () => {
    expect(keys(hu).sort()).toEqual(keys(en).sort());
  });

  it("uses the same placeholders in both languages and leaves no Hungarian text empty", () => {
    const lookup = (catalogue: unknown, key: string) => key.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], catalogue) as string;
    for (const key of keys(en)) {
      expect(placeholders(lookup(hu, key)), key).toEqual(placeholders(lookup(en, key)));
      expect(lookup(hu, key).trim(), key).not.toBe("");
    }
  });
});
