import { expect, it } from "vitest";
import { outcomeOf, runNode } from "@/flows/runtime/testing/nodeHarness";

const config = { queue_id: "support", max_wait_s: 120, hold_prompt: "Please hold, {{ call.caller.number }}" };

it.each(["answered", "timeout", "no_agents"] as const)("maps %s to its port", async (status) => {
  const { next, channel } = await runNode("queue", config, { script: { queue: [status] } });
  expect(outcomeOf(next)).toBe(status);
  expect(channel.operations[0]).toMatchObject({
    op: "enqueue",
    request: { queueId: "support", maxWaitMs: 120_000, holdPrompt: { text: "Please hold, +36301234567" } },
  });
});

it("stops when the caller hangs up in the queue", async () => {
  expect(outcomeOf((await runNode("queue", config, { script: { hangUpAtOperation: 1 } })).next)).toBe("caller_hangup");
});
