import { expect, it } from "vitest";
import { outcomeOf, runNode } from "@/flows/runtime/testing/nodeHarness";
import { createTestRuntime } from "@/flows/runtime/testing/testRuntime";

it("marks the call's end-of-call data for that API and goes on", async () => {
  const runtime = createTestRuntime();
  const { next } = await runNode("send_call_data", { outbound_api_id: "cdr-api" }, { runtime });
  expect(outcomeOf(next)).toBe("next");
  expect(runtime.integration.callDataRequests).toEqual([{ outboundApiId: "cdr-api", callId: "call-1", nodeId: "send_call_data-1" }]);
});

it("never fails the call when the hand-off fails", async () => {
  const runtime = createTestRuntime({ integration: { failHandOffs: true } });
  expect(outcomeOf((await runNode("send_call_data", { outbound_api_id: "cdr-api" }, { runtime })).next)).toBe("next");
});
