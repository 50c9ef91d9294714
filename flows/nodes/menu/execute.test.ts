import { describe, expect, it } from "vitest";
import { outcomeOf, runNode } from "@/flows/runtime/testing/nodeHarness";

const menu = { prompt: "Press 1 or 2", options: ["1", "2"], timeout_s: 4, max_retries: 2, invalid_prompt: "Wrong key" };

describe("menu", () => {
  it("takes the port of a valid key", async () => {
    const { next, channel } = await runNode("menu", menu, { script: { digits: ["2"] } });
    expect(outcomeOf(next)).toBe("2");
    expect(channel.operations[0]).toMatchObject({ op: "collectDigits", request: { maxLength: 1, timeoutMs: 4000 } });
  });

  it("retries after silence and takes timeout when the tries run out", async () => {
    const { next, channel } = await runNode("menu", menu, { script: { digits: [null, null, null] } });
    expect(outcomeOf(next)).toBe("timeout");
    expect(channel.operations.map((operation) => operation.op)).toEqual(["collectDigits", "collectDigits", "collectDigits"]);
  });

  it("plays invalid_prompt after a wrong key and takes invalid when the last try was wrong", async () => {
    const { next, channel } = await runNode("menu", menu, { script: { digits: ["9", null, "7"] } });
    expect(outcomeOf(next)).toBe("invalid");
    expect(channel.operations.map((operation) => operation.op)).toEqual(["collectDigits", "play", "collectDigits", "collectDigits", "play"]);
    expect(next.output).toEqual({ keys: ["9", null, "7"] });
  });

  it("accepts a valid key on a retry", async () => {
    const { next } = await runNode("menu", menu, { script: { digits: ["9", "1"] } });
    expect(outcomeOf(next)).toBe("1");
  });

  it("tries exactly once with max_retries 0", async () => {
    const { next, channel } = await runNode("menu", { ...menu, max_retries: 0 }, { script: { digits: [null] } });
    expect(outcomeOf(next)).toBe("timeout");
    expect(channel.operations).toHaveLength(1);
  });

  it("stops when the caller hangs up", async () => {
    const { next } = await runNode("menu", menu, { script: { digits: ["9"], hangUpAtOperation: 2 } });
    expect(outcomeOf(next)).toBe("caller_hangup");
  });
});
