import { describe, expect, it } from "vitest";
import { parseFlowDocument } from "@/flows/model/document";
import { starterTemplates } from "@/lib/flowTemplates";
import { exportFileName, exportText, readFlowFile } from "./transfer";

describe("export and import", () => {
  it("round-trips every starter template to the identical text", () => {
    for (const template of starterTemplates) {
      const parsed = parseFlowDocument(template.build("hu", "Recepció"));
      if (!parsed.ok) throw new Error(template.id);
      const text = exportText(parsed.document);
      const imported = readFlowFile(text);
      expect(imported.ok).toBe(true);
      if (imported.ok) expect(exportText(imported.document)).toBe(text);
    }
  });

  it("explains files that are not flows", () => {
    const notJson = readFlowFile("{ nope");
    expect(notJson.ok ? [] : notJson.errors[0].message).toMatch(/Not a JSON file/);
    const wrong = readFlowFile(JSON.stringify({ schema_version: 1, name: "x", nodes: [{ id: "a", type: "teleport" }], edges: [] }));
    expect(wrong.ok ? [] : wrong.errors.map((error) => error.path)).toContain("nodes.0.type");
  });

  it("names files after the flow", () => {
    expect(exportFileName("Ügyfélszolgálat – főmenü")).toBe("ugyfelszolgalat-fomenu.flow.json");
    expect(exportFileName("!!!")).toBe("flow.flow.json");
  });
});
