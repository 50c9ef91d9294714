import { describe, expect, it } from "vitest";
import { TemplateError } from "@/flows/templates/errors";
import { checkExpression, evaluateCondition } from "@/flows/templates/expressions";
import { checkTemplate, renderTemplate } from "@/flows/templates/render";
import { typedTemplateOutput } from "@/flows/templates/typedValue";
import { sketchFlow } from "@/flows/runtime/testing/testRuntime";
import { referencedVariables, templateVariables } from "@/flows/templates/variables";

const scope = {
  call: { caller: { number: "+36301234567", name: null }, called_number: "+3612345678" },
  lookup: { found: true, extension: "102", contact: { name: "Kiss Anna" } },
  digits: "1",
  pin: "0042",
  count: 3,
};

function renderError(template: string): TemplateError {
  try {
    renderTemplate(template, scope);
  } catch (error) {
    if (error instanceof TemplateError) return error;
    throw error;
  }
  throw new Error(`expected ${template} to fail`);
}

describe("renderTemplate", () => {
  it("renders call, lookup and user variables", () => {
    expect(renderTemplate("Hello {{ lookup.contact.name }}, you called from {{ call.caller.number }}", scope)).toBe(
      "Hello Kiss Anna, you called from +36301234567",
    );
    expect(renderTemplate("{{ count | plus: 2 }}", scope)).toBe("5");
    expect(renderTemplate("no markup at all", scope)).toBe("no markup at all");
  });

  it("treats undefined variables and filters as errors", () => {
    expect(renderError("{{ customer_id }}").kind).toBe("undefined_variable");
    expect(renderError("{{ call.caller.nmber }}").kind).toBe("undefined_variable");
    expect(checkTemplate("{{ digits | shout }}")).toMatch(/undefined filter: shout/);
  });

  it("lets if and default look at variables that may be unset", () => {
    expect(renderTemplate("{% if vip %}VIP{% else %}regular{% endif %}", scope)).toBe("regular");
    expect(renderTemplate("{{ vip | default: 'no' }}", scope)).toBe("no");
  });

  it("has no file system: include, render and layout do not exist", () => {
    for (const template of ["{% include 'secrets' %}", "{% render 'x' %}", "{% layout 'x' %}"]) {
      expect(checkTemplate(template)).toMatch(/not found/);
    }
  });

  it("bounds loops and output size", () => {
    expect(renderError("{% for i in (1..10000000) %}x{% endfor %}").kind).toBe("limit");
    expect(renderError("{% for i in (1..2100) %}xx{% endfor %}").message).toMatch(/longer than 4096/);
    expect(checkTemplate("x".repeat(5000) + "{{ digits }}")).toMatch(/longer than/);
  });

  it("cannot reach inherited properties", () => {
    expect(renderError("{{ call.constructor }}").kind).toBe("undefined_variable");
  });

  it("reports syntax errors without throwing", () => {
    expect(checkTemplate("{{ digits ")).toMatch(/not closed/);
    expect(checkTemplate("Hi {{ digits }}")).toBeNull();
  });
});

describe("conditions", () => {
  it.each([
    ['lookup.found and call.caller.number contains "+3630"', true],
    ['lookup.found and call.caller.number contains "+3620"', false],
    ["digits == 1", true],
    ["digits == 2", false],
    ["digits != 1", false],
    ["count > 2", true],
    ['"10" > "9"', true],
    ["pin == 42", true],
    ['pin == "42"', false],
    ["unset_variable == 1", false],
    ["unset_variable", false],
    ['lookup.extension == "102" or digits == 9', true],
  ])("%s → %s", (expression, expected) => {
    expect(evaluateCondition(expression, scope)).toBe(expected);
  });

  it("rejects malformed expressions", () => {
    expect(checkExpression("digits ==")).toMatch(/incomplete/);
    expect(checkExpression("digits 1")).toMatch(/incomplete/);
    expect(checkExpression("")).toMatch(/empty/);
    expect(checkExpression('digits == 1 %}{% include "x"')).not.toBeNull();
    expect(checkExpression("digits == 1 and lookup.found")).toBeNull();
  });
});

describe("typed template output", () => {
  it.each([
    ["42", 42],
    ["-1.5", -1.5],
    ["true", true],
    ["false", false],
    ["0042", "0042"],
    ["+36301234567", "+36301234567"],
    ["hello", "hello"],
    ["1234567890123456789", "1234567890123456789"],
  ])("%s → %j", (text, expected) => {
    expect(typedTemplateOutput(text)).toBe(expected);
  });
});

describe("referencedVariables", () => {
  it("lists the scope paths a template or expression reads, not its own locals", () => {
    expect(referencedVariables({ kind: "template", template: "{% assign x = 1 %}{{ x }} {{ call.caller.number }} {{ pin }}" })).toEqual([
      ["call", "caller", "number"],
      ["pin"],
    ]);
    expect(referencedVariables({ kind: "expression", template: "lookup.found and digits == 1" })).toEqual([["lookup", "found"], ["digits"]]);
  });
});

describe("templateVariables", () => {
  it("offers call and flow fields everywhere, lookup after a look-up, and user variables set upstream", () => {
    const flow = sketchFlow(
      [
        { id: "start", type: "start" },
        { id: "pin", type: "collect_digits", config: { variable: "pin" } },
        { id: "crm", type: "data_lookup", config: { outbound_api_id: "crm" } },
        { id: "say", type: "play", config: { text: "x" } },
      ],
      ["start:next->pin", "pin:next->crm", "crm:found->say"],
    );
    const atPin = templateVariables(flow, "pin").map((variable) => variable.path);
    expect(atPin).toContain("call.caller.number");
    expect(atPin).not.toContain("lookup.extension");
    expect(atPin).not.toContain("pin");
    const atSay = templateVariables(flow, "say");
    expect(atSay.map((variable) => variable.path)).toEqual(expect.arrayContaining(["lookup.extension", "lookup.contact.name", "now", "flow.name"]));
    expect(atSay.find((variable) => variable.path === "pin")).toEqual(expect.objectContaining({ source: "user", set_by: ["pin"] }));
  });
});
