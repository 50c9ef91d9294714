import { describe, expect, it } from "vitest";
import { NODE_TYPES } from "@/flows/model/nodeTypes";
import { nodeDefinitions } from "@/flows/nodes/definitions";
import { configFieldsOf } from "./configFields";

describe("inspector fields from config schemas", () => {
  it("describes every config field of every node type", () => {
    for (const type of NODE_TYPES) {
      const shapeKeys = Object.keys((nodeDefinitions[type].configSchema as unknown as { shape: object }).shape);
      expect(configFieldsOf(type).map((field) => field.key), type).toEqual(shapeKeys);
    }
  });

  it("knows widgets, optional fields, select choices and template-capable fields", () => {
    const menu = Object.fromEntries(configFieldsOf("menu").map((field) => [field.key, field]));
    expect(menu.options.meta.widget).toBe("dtmf_options");
    expect(menu.prompt.optional).toBe(false);
    expect(menu.invalid_prompt.optional).toBe(true);
    expect(menu.timeout_s.optional).toBe(false);
    const collect = Object.fromEntries(configFieldsOf("collect_digits").map((field) => [field.key, field]));
    expect(collect.terminator.choices).toEqual(["#", "*", ""]);
    expect(configFieldsOf("dial_extension")[0].acceptsTemplate).toBe(true);
    expect(configFieldsOf("voicemail")[0].acceptsTemplate).toBe(false);
  });
});
