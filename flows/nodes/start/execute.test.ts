import { expect, it } from "vitest";
import { outcomeOf, runNode } from "@/flows/runtime/testing/nodeHarness";

it("start leads straight to next without touching the call", async () => {
  const { next, channel } = await runNode("start", {});
  expect(outcomeOf(next)).toBe("next");
  expect(channel.operations).toEqual([]);
});
