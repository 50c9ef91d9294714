import { expect, it } from "vitest";
import { outcomeOf, runNode } from "@/flows/runtime/testing/nodeHarness";

it("dials the number without separators, not following forwarding", async () => {
  const { next, channel } = await runNode("forward_external", { number: "+36 1 234-5678" }, { script: { dial: ["busy"] } });
  expect(outcomeOf(next)).toBe("busy");
  expect(channel.operations[0]).toMatchObject({ request: { targets: [{ type: "external", number: "+3612345678" }], followForwarding: false } });
});

it("fails without dialling when a template renders something undiallable", async () => {
  const { next, channel } = await runNode("forward_external", { number: "{{ mobile }}" }, { variables: { mobile: "call me" } });
  expect(outcomeOf(next)).toBe("failed");
  expect(channel.operations).toEqual([]);
});
