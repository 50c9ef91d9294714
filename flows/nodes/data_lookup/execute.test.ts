import { describe, expect, it } from "vitest";
import { outcomeOf, runNode } from "@/flows/runtime/testing/nodeHarness";
import { flushPromises } from "@/flows/runtime/testing/manualClock";
import { createTestRuntime } from "@/flows/runtime/testing/testRuntime";

const config = { outbound_api_id: "crm" };

describe("data_lookup", () => {
  it("publishes a found contact under lookup.* and merges returned variables", async () => {
    const runtime = createTestRuntime({
      integration: {
        lookups: { crm: { status: "found", extension: "102", contact: { name: "Kiss Anna" }, variables: { vip: true, "bad name": 1 } } },
      },
    });
    const { next, execution } = await runNode("data_lookup", config, { runtime, variables: { customer_id: "42" } });
    expect(outcomeOf(next)).toBe("found");
    expect(execution.render("{{ lookup.extension }} {{ lookup.contact.name }} {{ lookup.found }} {{ vip }}")).toBe("102 Kiss Anna true true");
    expect(execution.variables()).toEqual({ customer_id: "42", vip: true });
    expect(runtime.integration.lookupRequests[0]).toMatchObject({ outboundApiId: "crm", nodeId: "data_lookup-1", variables: { customer_id: "42" } });
    expect(runtime.logger.entries.some((entry) => entry.message.includes("invalid names"))).toBe(true);
  });

  it("takes not_found and error", async () => {
    const notFound = createTestRuntime({ integration: { lookups: { crm: { status: "not_found" } } } });
    expect(outcomeOf((await runNode("data_lookup", config, { runtime: notFound })).next)).toBe("not_found");
    const failing = createTestRuntime({ integration: { lookups: { crm: { status: "error", error: "HTTP 500" } } } });
    const { next, execution } = await runNode("data_lookup", config, { runtime: failing });
    expect(outcomeOf(next)).toBe("error");
    expect(execution.render("{{ lookup.error }}")).toBe("HTTP 500");
  });

  it("takes error when the integration throws", async () => {
    const runtime = createTestRuntime({ integration: { lookups: { crm: "throw" } } });
    expect(outcomeOf((await runNode("data_lookup", config, { runtime })).next)).toBe("error");
  });

  it("takes error when the CRM times out, measured on the injected clock", async () => {
    const runtime = createTestRuntime({ integration: { lookups: { crm: "timeout" }, timeoutMs: 2_000 } });
    const pending = runNode("data_lookup", config, { runtime });
    await flushPromises();
    await runtime.clock.advanceAsync(2_000);
    const { next } = await pending;
    expect(outcomeOf(next)).toBe("error");
    expect(next.output).toMatchObject({ error: "timeout" });
  });

  it("gives up on its own deadline when the CRM never answers", async () => {
    const runtime = createTestRuntime({ integration: { lookups: { crm: { delayMs: 60_000, reply: { status: "not_found" } } } } });
    const pending = runNode("data_lookup", config, { runtime });
    await runtime.clock.advanceAsync(15_000);
    expect(outcomeOf((await pending).next)).toBe("error");
  });
});
