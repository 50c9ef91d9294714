import { expect, it } from "vitest";
import { outcomeOf, runNode } from "@/flows/runtime/testing/nodeHarness";

const config = { extensions: ["101", "102", "103"], strategy: "sequential", ring_timeout_s: 15 };

it("rings all extensions with the chosen strategy, ignoring their forwarding", async () => {
  const { next, channel } = await runNode("ring_group", config, { script: { dial: ["answered"] } });
  expect(outcomeOf(next)).toBe("answered");
  expect(channel.operations[0]).toMatchObject({
    request: { strategy: "sequential", ringTimeoutMs: 15_000, followForwarding: false, targets: [{ number: "101" }, { number: "102" }, { number: "103" }] },
  });
});

it.each(["no_answer", "busy", "failed"] as const)("treats %s as no_answer", async (status) => {
  expect(outcomeOf((await runNode("ring_group", config, { script: { dial: [status] } })).next)).toBe("no_answer");
});
