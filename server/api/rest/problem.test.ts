import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { headerNameSchema, outboundUrlSchema } from "@/lib/schemas/integration";
import { ServiceError } from "@/server/services/errors";
import { englishText, I18N_KEY, problemOf, zodFieldErrors } from "./problem";

describe("API errors are written for people", () => {
  it("turns a custom zod message that is an i18n key into the portal's English text and a stable code", () => {
    const parsed = z.object({ url: outboundUrlSchema, headers: z.record(headerNameSchema, z.string()) }).safeParse({ url: "crm.example.com", headers: { Host: "x" } });
    expect(parsed.success).toBe(false);
    expect(zodFieldErrors(parsed.error!)).toEqual([
      { path: "url", code: "invalid_url", message: "Enter a full http:// or https:// address." },
      { path: "headers.Host", code: "reserved_header", message: expect.stringMatching(/^Switchboard sets this header itself/) },
    ]);
  });

  it("names each unknown field, and calls a missing one required", () => {
    const parsed = z.strictObject({ name: z.string(), inner: z.strictObject({}) }).safeParse({ inner: { a: 1 }, colour: "red", size: 2 });
    const errors = zodFieldErrors(parsed.error!, "");
    expect(errors).toContainEqual({ path: "colour", code: "unknown_field", message: 'Unknown field "colour"; remove it' });
    expect(errors).toContainEqual(expect.objectContaining({ path: "size", code: "unknown_field" }));
    expect(errors).toContainEqual(expect.objectContaining({ path: "inner.a", code: "unknown_field" }));
    expect(errors).toContainEqual({ path: "name", code: "required", message: "Required" });
  });

  it("gives a service error's English message, or its key's English text when the message is a key, as detail and field message", () => {
    const english = problemOf(new ServiceError("conflict", "A user with this e-mail exists", { field: "email", messageKey: "errors.emailTaken" }))!.toBody();
    expect(english).toMatchObject({ status: 409, code: "conflict", detail: "A user with this e-mail exists", errors: [{ path: "email", field: "email", code: "duplicate" }] });
    const keyed = problemOf(new ServiceError("invalid", "integration.errors.url", { field: "url", messageKey: "integration.errors.url" }))!.toBody();
    expect(keyed).toMatchObject({ status: 400, code: "validation_failed", detail: "Enter a full http:// or https:// address.", errors: [{ path: "url", code: "invalid_url" }] });
    const keyless = problemOf(new ServiceError("invalid", "since must be an ISO 8601 time", { field: "since" }))!.toBody();
    expect(keyless.errors).toEqual([{ path: "since", field: "since", code: "invalid_value", message: "since must be an ISO 8601 time" }]);
    const unknownKey = problemOf(new ServiceError("invalid", "some.unknown.key"))!.toBody();
    expect(unknownKey.detail).not.toMatch(I18N_KEY);
  });

  it("fills placeholders from the issue, and falls back when one stays open", () => {
    expect(englishText("editor.scenarios.errors.tooShort", { min: 3 })).toBe("At least 3 characters.");
    expect(englishText("editor.scenarios.errors.tooShort")).toBeUndefined();
    expect(englishText("no.such.key")).toBeUndefined();
  });

  it("has English text for every i18n key the services and shared schemas can put on an error", () => {
    const sources = ["lib/schemas", "server/services"].flatMap((dir) =>
      fs
        .readdirSync(dir)
        .filter((name) => name.endsWith(".ts") && !name.endsWith(".test.ts"))
        .map((name) => fs.readFileSync(path.join(dir, name), "utf8")),
    );
    const keys = new Set(sources.flatMap((text) => [...text.matchAll(/(?:messageKey|error):\s*"([a-z]+(?:\.[a-zA-Z_]+)+)"/g)].map((match) => match[1])));
    expect(keys.size).toBeGreaterThan(30);
    expect([...keys].filter((key) => englishText(key) === undefined)).toEqual([]);
  });
});
