import { expect, it } from "vitest";
import { outcomeOf, runNode } from "@/flows/runtime/testing/nodeHarness";

const config = { prompt: "Your customer number, then #", variable: "customer_id", min_length: 4, max_length: 8, terminator: "#", timeout_s: 6 };

it("stores the digits as a string, leading zeros kept", async () => {
  const { next, execution } = await runNode("collect_digits", config, { script: { digits: ["00421#"] } });
  expect(outcomeOf(next)).toBe("next");
  expect(execution.variables()).toEqual({ customer_id: "00421" });
});

it("counts enough digits before a timeout as complete, too few as timeout", async () => {
  expect(outcomeOf((await runNode("collect_digits", config, { script: { digits: ["12345"] } })).next)).toBe("next");
  const short = await runNode("collect_digits", config, { script: { digits: ["12"] } });
  expect(outcomeOf(short.next)).toBe("timeout");
  expect(short.execution.variables()).toEqual({ customer_id: "12" });
});

it("passes length, terminator and timeout to the channel", async () => {
  const { channel } = await runNode("collect_digits", config, { script: { digits: [null] } });
  expect(channel.operations[0]).toMatchObject({ op: "collectDigits", request: { minLength: 4, maxLength: 8, terminator: "#", timeoutMs: 6000 } });
});
