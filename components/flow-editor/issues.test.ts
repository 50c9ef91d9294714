import { describe, expect, it } from "vitest";
import { validateFlow } from "@/flows/validation/validateFlow";
import { issueField, issuePort, issuesByNode, referenceLookup } from "./issues";
import { editorNode, menuDocument } from "./testDocuments";

const options = {
  extensions: [{ id: "101", label: "101 · Anna" }],
  queues: [{ id: "q1", label: "Support" }],
  flows: [{ id: "flow_a", label: "Main" }],
  outboundApis: [{ id: "crm", label: "CRM", kind: "data_lookup" }],
};

describe("validation in the editor", () => {
  it("answers reference checks from the picker options", () => {
    const refs = referenceLookup(options);
    expect(refs.extensionExists("101")).toBe(true);
    expect(refs.extensionExists("102")).toBe(false);
    expect(refs.queueExists("q1")).toBe(true);
    expect(refs.flowExists("flow_a")).toBe(true);
    expect(refs.outboundApiExists("crm", "data_lookup")).toBe(true);
    expect(refs.outboundApiExists("crm", "end_of_call")).toBe(false);
  });

  it("groups issues by node and finds the field or output they are about", () => {
    const document = menuDocument();
    document.nodes.push(editorNode("ring", "dial_extension", { extension: "999", ring_timeout_s: 20 }));
    const byNode = issuesByNode(validateFlow(document, referenceLookup(options)));
    expect(byNode.get("menu")!.errors.map(issuePort)).toContain("2");
    expect(byNode.get("ring")!.errors.map((issue) => issue.code)).toContain("extension_missing");
    expect(byNode.get("ring")!.warnings.map((issue) => issue.code)).toContain("node_unreachable");

    document.nodes[1].config.prompt = "";
    expect(issuesByNode(validateFlow(document)).get("menu")!.errors.map(issueField)).toContain("prompt");
  });
});
