import { expect, it } from "vitest";
import { outcomeOf, runNode } from "@/flows/runtime/testing/nodeHarness";

it("records into the mailbox and goes on with the recording code in the trace", async () => {
  const { next, channel } = await runNode("voicemail", { mailbox_extension: "101", greeting: "Leave a message", max_length_s: 60 });
  expect(outcomeOf(next)).toBe("next");
  expect(next.output).toEqual({ status: "recorded", recording_code: "rec-1" });
  expect(channel.operations[0]).toMatchObject({ request: { mailboxExtension: "101", maxLengthMs: 60_000, greeting: { text: "Leave a message" } } });
});

it("goes on after an empty message too", async () => {
  const { next } = await runNode("voicemail", { mailbox_extension: "101" }, { script: { voicemail: "empty" } });
  expect(next.output).toEqual({ status: "empty", recording_code: null });
});
