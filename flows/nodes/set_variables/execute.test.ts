import { expect, it } from "vitest";
import { outcomeOf, runNode } from "@/flows/runtime/testing/nodeHarness";

it("types rendered values and keeps literals, in order", async () => {
  const { next, execution } = await runNode(
    "set_variables",
    {
      assignments: [
        { name: "attempts", value: "{{ digits | plus: 1 }}" },
        { name: "vip", value: "{% if attempts > 1 %}true{% else %}false{% endif %}" },
        { name: "greeting", value: "Hello {{ call.caller.number }}" },
        { name: "pin", value: "0042" },
        { name: "limit", value: 3 },
        { name: "note", value: null },
      ],
    },
    { variables: { digits: "1" } },
  );
  expect(outcomeOf(next)).toBe("next");
  expect(execution.variables()).toEqual({ digits: "1", attempts: 2, vip: true, greeting: "Hello +36301234567", pin: "0042", limit: 3, note: null });
});

it("throws a template error for an unset variable (the run then fails cleanly)", async () => {
  await expect(runNode("set_variables", { assignments: [{ name: "x", value: "{{ missing }}" }] })).rejects.toThrow(/undefined variable: missing/);
});
