import { describe, expect, it } from "vitest";
import businessHours from "@/flows/fixtures/business-hours-menu.json";
import type { FlowDocument } from "@/flows/model/types";
import { parseEditorDocument, toEditorDocument } from "../editorDocument";
import { editorNode, menuDocument } from "../testDocuments";
import {
  addScenario,
  duplicateScenario,
  flowTimeZone,
  formatVariableValue,
  isoToZonedLocal,
  keyNodes,
  lookupApiIds,
  parseVariableValue,
  removeScenario,
  renameKey,
  scenarioFromTestCall,
  scenarioMessages,
  updateScenario,
  zonedLocalToIso,
} from "./scenarioForm";

const basic = { name: "Sales", caller: "+36301112233", called_number: "+3612345678", expect: {} };

describe("scenario edits on the editor document", () => {
  it("adds, renames, duplicates and deletes scenarios; no scenarios leaves the key out", () => {
    const start = menuDocument();
    let document = addScenario(start, basic);
    document = addScenario(document, basic);
    expect(document.test_scenarios!.map((s) => s.name)).toEqual(["Sales", "Sales 2"]);
    document = updateScenario(document, 1, (s) => ({ ...s, name: "Support" }));
    document = duplicateScenario(document, 0, (name) => `${name} (copy)`);
    expect(document.test_scenarios!.map((s) => s.name)).toEqual(["Sales", "Sales (copy)", "Support"]);
    document = removeScenario(removeScenario(removeScenario(document, 0), 0), 0);
    expect(document).toEqual(start);
  });

  it("drops parts the form left empty", () => {
    const document = updateScenario(addScenario(menuDocument(), basic), 0, (s) => ({ ...s, phones: {}, dtmf: [], at: "", expect: { path: [], variables: {}, answered_by: "" } }));
    expect(document.test_scenarios![0]).toEqual(basic);
  });

  it("keeps scenarios through the editor's document round trip", () => {
    const flow = businessHours as unknown as FlowDocument;
    const parsed = parseEditorDocument(toEditorDocument(flow));
    expect(parsed.ok && parsed.document.test_scenarios).toEqual(flow.test_scenarios);
  });

  it("renames a record key in place and refuses a taken one", () => {
    expect(Object.keys(renameKey({ a: 1, b: 2, c: 3 }, "b", "x"))).toEqual(["a", "x", "c"]);
    const record = { a: 1, b: 2 };
    expect(renameKey(record, "a", "b")).toBe(record);
  });
});

describe("what the form offers", () => {
  it("lists the key-press nodes, the look-up APIs and the time zone of the flow", () => {
    const document = {
      ...menuDocument(),
      nodes: [
        ...menuDocument().nodes,
        editorNode("pin", "collect_digits"),
        editorNode("crm", "data_lookup", { outbound_api_id: "oapi_crm" }),
        editorNode("crm2", "data_lookup", { outbound_api_id: "oapi_crm" }),
        editorNode("hours", "time_condition", { timezone: "Europe/London" }),
      ],
    };
    expect(keyNodes(document).map((n) => n.id)).toEqual(["menu", "pin"]);
    expect(lookupApiIds(document)).toEqual(["oapi_crm"]);
    expect(flowTimeZone(document)).toBe("Europe/London");
    expect(flowTimeZone(menuDocument())).toBe("Europe/Budapest");
  });
});

describe("the simulated moment in the flow's time zone", () => {
  it("reads and writes wall-clock times with the offset in force, across daylight saving", () => {
    expect(zonedLocalToIso("2026-01-05T10:00", "Europe/Budapest")).toBe("2026-01-05T10:00:00+01:00");
    expect(zonedLocalToIso("2026-07-05T10:00", "Europe/Budapest")).toBe("2026-07-05T10:00:00+02:00");
    expect(zonedLocalToIso("2026-07-05T10:00", "America/New_York")).toBe("2026-07-05T10:00:00-04:00");
    expect(zonedLocalToIso("", "Europe/Budapest")).toBeUndefined();
    expect(isoToZonedLocal("2026-04-06T10:00:00+02:00", "Europe/Budapest")).toBe("2026-04-06T10:00");
    expect(isoToZonedLocal("2026-04-06T08:00:00Z", "Europe/Budapest")).toBe("2026-04-06T10:00");
    expect(isoToZonedLocal(undefined, "Europe/Budapest")).toBe("");
  });
});

describe("expected variable values", () => {
  it("reads numbers, booleans and lists as JSON and anything else as text, and shows them back the same way", () => {
    expect(parseVariableValue("42")).toBe(42);
    expect(parseVariableValue("true")).toBe(true);
    expect(parseVariableValue("gold")).toBe("gold");
    expect(parseVariableValue('"42"')).toBe("42");
    for (const value of [42, true, "gold", "42", ["a"], { tier: 1 }, "Kovács Anna"]) expect(parseVariableValue(formatVariableValue(value))).toEqual(value);
  });
});

describe("field messages", () => {
  it("come from the scenario schema, by field path, and name nodes the flow lacks", () => {
    const messages = scenarioMessages(
      { ...basic, name: " ", caller: "1", dtmf: [{ node_id: "menu", digits: "1x" }, { node_id: "gone", digits: "1" }], phones: { "1": { behavior: "answer" }, "101": { behavior: "answer", answer_after_s: 500 } }, expect: { answered_by: "abc", path: ["start", "nowhere"] } },
      menuDocument(),
    );
    expect(Object.fromEntries(messages)).toEqual({
      name: { key: "required" },
      caller: { key: "tooShort", values: { min: 2 } },
      "dtmf.0.digits": { key: "digits" },
      "dtmf.1.node_id": { key: "unknownNode", values: { id: "gone" } },
      "phones.1": { key: "extension" },
      "phones.101.answer_after_s": { key: "tooHigh", values: { max: 300 } },
      "expect.answered_by": { key: "extension" },
      "expect.path.1": { key: "unknownNode", values: { id: "nowhere" } },
    });
    expect(scenarioMessages({ ...basic, at: "2026-01-05T10:00" }).get("at")).toEqual({ key: "dateTime" });
  });
});

describe("a test call saved as a scenario", () => {
  it("keeps who called, when, the keys pressed per node, and expects the path and outcome", () => {
    const scenario = scenarioFromTestCall(
      {
        caller: " +36301112233 ",
        called: "+3612345678",
        at: "2026-01-05T09:00:00.000Z",
        pressed: [
          { node_id: "menu", digits: "1" },
          { node_id: "pin", digits: "4" },
          { node_id: "pin", digits: "2" },
        ],
        path: ["start", "menu", "pin", "bye"],
        disposition: "cancelled",
      },
      "Test call",
    );
    expect(scenario).toEqual({
      name: "Test call",
      caller: "+36301112233",
      called_number: "+3612345678",
      at: "2026-01-05T09:00:00.000Z",
      dtmf: [
        { node_id: "menu", digits: "1" },
        { node_id: "pin", digits: "42" },
      ],
      expect: { path: ["start", "menu", "pin", "bye"], disposition: "cancelled" },
    });
    expect(scenarioMessages(scenario).size).toBe(0);
  });
});
