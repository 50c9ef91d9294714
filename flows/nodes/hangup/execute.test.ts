import { expect, it } from "vitest";
import { runNode } from "@/flows/runtime/testing/nodeHarness";

it("ends the call normally", async () => {
  const { next } = await runNode("hangup", {});
  expect(next).toEqual({ kind: "end_call", cause: "normal_clearing" });
});
