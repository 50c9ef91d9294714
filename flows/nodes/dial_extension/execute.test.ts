import { describe, expect, it } from "vitest";
import { outcomeOf, runNode } from "@/flows/runtime/testing/nodeHarness";

describe("dial_extension", () => {
  it.each(["answered", "no_answer", "busy", "failed"] as const)("maps a %s dial to its port", async (status) => {
    const { next } = await runNode("dial_extension", { extension: "101" }, { script: { dial: [status] } });
    expect(outcomeOf(next)).toBe(status);
    expect(next.kind === "port" && next.bridged).toBe(status === "answered");
  });

  it("dials a templated extension, honouring the extension's forwarding", async () => {
    const { channel } = await runNode("dial_extension", { extension: "{{ owner }}", ring_timeout_s: 25 }, { variables: { owner: "102" } });
    expect(channel.operations[0]).toEqual({
      op: "dial",
      request: { targets: [{ type: "extension", number: "102" }], strategy: "simultaneous", ringTimeoutMs: 25_000, followForwarding: true },
    });
  });

  it("fails without dialling when the template renders empty or unset", async () => {
    const empty = await runNode("dial_extension", { extension: "{{ lookup.extension }}" });
    expect(outcomeOf(empty.next)).toBe("failed");
    expect(empty.channel.operations).toEqual([]);
    const unset = await runNode("dial_extension", { extension: "{{ owner }}" });
    expect(outcomeOf(unset.next)).toBe("failed");
    expect(unset.next.output).toMatchObject({ error: expect.stringMatching(/undefined variable: owner/) });
  });

  it("stops when the caller hangs up while it rings", async () => {
    const { next } = await runNode("dial_extension", { extension: "101" }, { script: { hangUpAtOperation: 1 } });
    expect(outcomeOf(next)).toBe("caller_hangup");
  });
});
