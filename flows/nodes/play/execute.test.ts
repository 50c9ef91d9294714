import { expect, it } from "vitest";
import { outcomeOf, runNode } from "@/flows/runtime/testing/nodeHarness";

it("renders the text, picks the language and plays it", async () => {
  const { next, channel } = await runNode("play", { text: "Hívás innen: {{ call.caller.number }}", audio_id: "welcome" });
  expect(outcomeOf(next)).toBe("next");
  expect(channel.operations).toEqual([{ op: "play", prompt: { text: "Hívás innen: +36301234567", language: "hu", audioId: "welcome" } }]);
});

it("prefers the prompt's own language over the node's", async () => {
  const { channel } = await runNode("play", { text: { text: "Hello", language: "en" }, language: "de" });
  expect(channel.operations[0]).toMatchObject({ prompt: { language: "en" } });
});

it("stops when the caller hangs up during playback", async () => {
  const { next } = await runNode("play", { text: "Hi" }, { script: { hangUpAtOperation: 1 } });
  expect(outcomeOf(next)).toBe("caller_hangup");
});
