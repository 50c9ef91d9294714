import { expect, it } from "vitest";
import { outcomeOf, runNode } from "@/flows/runtime/testing/nodeHarness";

const config = {
  rules: [
    { id: "vip", when: "vip and digits == 1" },
    { id: "mobile", when: 'call.caller.number contains "+3630"' },
  ],
};

it("takes the first rule that holds", async () => {
  expect(outcomeOf((await runNode("condition", config, { variables: { vip: true, digits: "1" } })).next)).toBe("vip");
  expect(outcomeOf((await runNode("condition", config, { variables: { vip: false, digits: "1" } })).next)).toBe("mobile");
});

it("falls back to else", async () => {
  const { next } = await runNode("condition", { rules: [{ id: "never", when: "digits == 9" }] }, { variables: { digits: "1" } });
  expect(outcomeOf(next)).toBe("else");
  expect(next.output).toEqual({ matched: null });
});
