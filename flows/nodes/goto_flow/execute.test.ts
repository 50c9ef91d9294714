import { expect, it } from "vitest";
import { runNode } from "@/flows/runtime/testing/nodeHarness";

it("asks the interpreter to continue in the other flow", async () => {
  const { next } = await runNode("goto_flow", { flow_id: "after-hours" });
  expect(next).toEqual({ kind: "goto_flow", flowId: "after-hours", input: { flow_id: "after-hours" } });
});
