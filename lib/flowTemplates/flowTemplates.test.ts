import { describe, expect, it } from "vitest";
import { parseFlowDocument } from "@/flows/model/document";
import type { ReferenceLookup } from "@/flows/runtime/ports";
import { validateFlow } from "@/flows/validation/validateFlow";
import { starterTemplates } from "./index";

const nothingExists: ReferenceLookup = {
  extensionExists: () => false,
  queueExists: () => false,
  outboundApiExists: () => false,
  flowExists: () => false,
};

const REFERENCE_CODES = new Set(["extension_missing", "queue_missing", "outbound_api_missing"]);

describe("starter templates", () => {
  for (const template of starterTemplates) {
    for (const locale of ["en", "hu"] as const) {
      it(`${template.id} (${locale}) is a readable flow document with the chosen name`, () => {
        const parsed = parseFlowDocument(template.build(locale, "Reception"));
        expect(parsed.ok ? [] : parsed.errors).toEqual([]);
        if (parsed.ok) expect(parsed.document.name).toBe("Reception");
      });
    }
  }

  it("are complete flows apart from the references the admin fills in", () => {
    for (const template of starterTemplates.filter((item) => item.id !== "empty")) {
      const document = template.build("hu", "Reception");
      expect(validateFlow(document).errors, template.id).toEqual([]);
      const unresolved = validateFlow(document, nothingExists).errors;
      expect(unresolved.length, template.id).toBeGreaterThan(0);
      expect(unresolved.filter((issue) => !REFERENCE_CODES.has(issue.code)), template.id).toEqual([]);
    }
  });

  it("speak the admin's language", () => {
    const template = starterTemplates.find((item) => item.id === "business_hours_menu")!;
    const menu = (locale: "en" | "hu") =>
      (template.build(locale, "x") as { nodes: { id: string; config: { prompt?: string } }[] }).nodes.find((node) => node.id === "menu")?.config.prompt;
    expect(menu("hu")).toContain("Üdvözöljük");
    expect(menu("en")).toContain("Welcome");
  });
});
