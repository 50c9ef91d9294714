import { describe, expect, it } from "vitest";
import type { AvailableVariable } from "@/flows/templates/variables";
import { applyCompletion, completionAt, insertVariable, matchingVariables } from "./autocomplete";

const variable = (path: string): AvailableVariable => ({ path, source: "call", description: { en: path, hu: path } });

describe("variable completion", () => {
  it("completes inside an open {{ }} only", () => {
    const text = "Hello {{ call.ca";
    expect(completionAt(text, text.length, "template")).toEqual({ from: 9, to: 16, query: "call.ca" });
    expect(completionAt("Hello {{ x }} call.ca", 21, "template")).toBeNull();
    expect(completionAt("Hello", 5, "template")).toBeNull();
  });

  it("completes the word being typed in a condition", () => {
    expect(completionAt("lookup.found and cal", 20, "expression")).toEqual({ from: 17, to: 20, query: "cal" });
    expect(completionAt("lookup.found and ", 17, "expression")).toBeNull();
  });

  it("inserts the picked path, with spacing and a closing }} when missing", () => {
    expect(applyCompletion("Hi {{ca", { from: 5, to: 7, query: "ca" }, "call.caller.name", "template")).toEqual({
      text: "Hi {{ call.caller.name }}",
      cursor: 25,
    });
    expect(applyCompletion("Hi {{ ca }}!", { from: 6, to: 8, query: "ca" }, "call.caller.name", "template").text).toBe("Hi {{ call.caller.name }}!");
    expect(applyCompletion("x and lo", { from: 6, to: 8, query: "lo" }, "lookup.found", "expression").text).toBe("x and lookup.found");
    expect(insertVariable("Hi !", 3, "call.caller.name", "template")).toEqual({ text: "Hi {{ call.caller.name }}!", cursor: 25 });
  });

  it("lists prefix matches first", () => {
    const variables = ["call.caller.number", "lookup.extension", "call.called_number"].map(variable);
    expect(matchingVariables(variables, "call.call").map((item) => item.path)).toEqual(["call.caller.number", "call.called_number"]);
    expect(matchingVariables(variables, "number").map((item) => item.path)).toEqual(["call.caller.number", "call.called_number"]);
  });
});
