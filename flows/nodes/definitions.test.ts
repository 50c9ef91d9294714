import { describe, expect, it } from "vitest";
import { fieldMeta } from "@/flows/model/fields";
import { NODE_TYPES } from "@/flows/model/nodeTypes";
import { looseDefinition, nodeDefinitions } from "@/flows/nodes/definitions";
import { dialExtensionConfigSchema } from "@/flows/nodes/dial_extension/definition";

/** Fields an admin must fill in before a node is usable: their defaults are deliberately empty. */
const CHOSEN_BY_ADMIN = new Set(["play", "menu", "data_lookup", "notify", "send_call_data", "dial_extension", "ring_group", "queue", "forward_external", "voicemail", "goto_flow"]);

describe("node definitions", () => {
  it.each(NODE_TYPES)("%s is complete and self-consistent", (type) => {
    const definition = looseDefinition(type);
    expect(definition.type).toBe(type);
    expect(definition.label.en && definition.label.hu).toBeTruthy();
    expect(definition.description.en && definition.description.hu).toBeTruthy();
    expect(definition.icon).toMatch(/^[a-z0-9-]+$/);
    const parsed = definition.configSchema.safeParse(definition.defaults);
    expect(parsed.success).toBe(!CHOSEN_BY_ADMIN.has(type));
    for (const locale of ["en", "hu"] as const) expect(typeof definition.summary(definition.defaults, locale)).toBe("string");
  });

  it("gives menus one port per key plus timeout and invalid", () => {
    const ports = nodeDefinitions.menu.ports({ prompt: "x", options: ["1", "#"], timeout_s: 5, max_retries: 1 });
    expect(ports.map((port) => port.id)).toEqual(["1", "#", "timeout", "invalid"]);
    expect(ports.filter((port) => port.required).map((port) => port.id)).toEqual(["1", "#"]);
  });

  it("gives conditions one port per rule plus else", () => {
    const ports = nodeDefinitions.condition.ports({ rules: [{ id: "vip", when: "vip" }, { id: "late", when: "late" }] });
    expect(ports.map((port) => port.id)).toEqual(["vip", "late", "else"]);
  });

  it("lists references with the outbound API kind each node needs", () => {
    expect(nodeDefinitions.notify.references({ outbound_api_id: "crm" })).toEqual([
      { kind: "outbound_api", id: "crm", path: "config.outbound_api_id", apiKind: "incoming_notification" },
    ]);
    expect(nodeDefinitions.dial_extension.references({ extension: "{{ lookup.extension }}", ring_timeout_s: 20 })).toEqual([]);
    expect(nodeDefinitions.ring_group.references({ extensions: ["101", "102"], strategy: "sequential", ring_timeout_s: 20 })).toHaveLength(2);
  });

  it("rejects out-of-range and inconsistent configs", () => {
    const { menu, collect_digits, ring_group, set_variables, condition, time_condition } = nodeDefinitions;
    expect(menu.configSchema.safeParse({ prompt: "x", options: ["1"], max_retries: 11 }).success).toBe(false);
    expect(collect_digits.configSchema.safeParse({ variable: "pin", min_length: 6, max_length: 4 }).success).toBe(false);
    expect(collect_digits.configSchema.safeParse({ variable: "call" }).success).toBe(false);
    expect(ring_group.configSchema.safeParse({ extensions: ["101"], ring_timeout_s: 4 }).success).toBe(false);
    expect(set_variables.configSchema.safeParse({ assignments: [{ name: "Bad-Name", value: 1 }] }).success).toBe(false);
    expect(condition.configSchema.safeParse({ rules: [{ id: "else", when: "true" }] }).success).toBe(false);
    expect(time_condition.configSchema.safeParse({ timezone: "Mars/Olympus", schedule: [] }).success).toBe(false);
    expect(time_condition.configSchema.safeParse({ schedule: [{ days: ["mon"], from: "22:00", to: "06:00" }] }).success).toBe(true);
    expect(time_condition.configSchema.safeParse({ schedule: [{ days: ["mon"], from: "08:00", to: "08:00" }] }).success).toBe(false);
  });

  it("carries bilingual field metadata for the inspector", () => {
    const meta = fieldMeta(dialExtensionConfigSchema.shape.ring_timeout_s);
    expect(meta).toMatchObject({ widget: "number", unit: "s", label: { en: "Ring for", hu: "Csengetési idő" } });
  });
});
