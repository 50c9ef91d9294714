/**
 * A client generator that validates first (openapi-typescript, on Redocly's
 * parser) accepts the served document and produces the expected types — so a
 * document that tools refuse fails CI, not a CRM developer's first hour.
 */
import { describe, expect, it } from "vitest";
import openapiTS, { astToString } from "openapi-typescript";
import { openApiJson } from "./document";

describe("a typed client generated from the OpenAPI document", () => {
  it("has the paths, operations, schemas and webhooks of the API", async () => {
    const source = astToString(await openapiTS(openApiJson(), { silent: true }));
    expect(source).toContain('"/users": {');
    expect(source).toContain('"/flows/{id}": {');
    expect(source).toContain('get: operations["listUsers"];');
    const typeOf = (name: string) => source.match(new RegExp(`\\n {8}${name}: \\{[\\s\\S]*?\\n {8}\\};`))?.[0]; // a components.schemas entry
    expect(typeOf("Problem")).toMatch(/code: "validation_failed" \| [^;]*"not_found"/);
    expect(typeOf("FieldError")).toMatch(/path: string;[\s\S]*code: string;[\s\S]*message: string;/);
    expect(source).toContain('"call.ended": {');
    expect(source).toContain('CallStatus: "initiated" | "in_flow" | "ringing" | "answered" | "on_hold" | "ended";');
  }, 30_000);
});
