import { expect, it } from "vitest";
import { outcomeOf, runNode } from "@/flows/runtime/testing/nodeHarness";
import { createTestRuntime } from "@/flows/runtime/testing/testRuntime";

it("queues a notification and goes on", async () => {
  const runtime = createTestRuntime();
  const { next } = await runNode("notify", { outbound_api_id: "popup" }, { runtime });
  expect(outcomeOf(next)).toBe("next");
  expect(runtime.integration.notifications).toEqual([{ outboundApiId: "popup", callId: "call-1", nodeId: "notify-1" }]);
});

it("goes on even when the hand-off fails", async () => {
  const runtime = createTestRuntime({ integration: { failHandOffs: true } });
  const { next } = await runNode("notify", { outbound_api_id: "popup" }, { runtime });
  expect(outcomeOf(next)).toBe("next");
  expect(next.output).toEqual({ queued: false, error: "outbox unavailable" });
});
