/**
 * Export and import of flow documents as JSON files. Export writes
 * serializeFlowDocument's stable form; import reads through parseFlowDraft,
 * so an exported file imports to the identical document.
 */
import { type ParseResult, parseFlowDraft } from "@/flows/model/document";
import { serializeFlowDocument } from "@/flows/model/serialize";
import type { FlowDocument } from "@/flows/model/types";

export function exportFileName(name: string): string {
  const slug = name
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
  return `${slug || "flow"}.flow.json`;
}

export function exportText(document: FlowDocument): string {
  return serializeFlowDocument(document);
}

export function readFlowFile(text: string): ParseResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, errors: [{ path: "", message: `Not a JSON file: ${(error as Error).message}` }] };
  }
  return parseFlowDraft(json);
}

/** Hands text to the browser as a file download. */
export function downloadText(fileName: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: "application/json" }));
  const link = Object.assign(window.document.createElement("a"), { href: url, download: fileName });
  link.click();
  URL.revokeObjectURL(url);
}
