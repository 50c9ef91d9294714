import { afterEach, describe, expect, it } from "vitest";
import businessHoursJson from "@/flows/fixtures/business-hours-menu.json";
import type { FlowRunResult, RuntimeContext } from "@/flows/runtime/context";
import { runFlow } from "@/flows/runtime/interpreter";
import { InMemoryIntegration } from "@/flows/runtime/testing/inMemoryIntegration";
import { flowDocument, InMemoryFlowLoader } from "@/flows/runtime/testing/testRuntime";
import { createWorld, CUSTOMER, DID, type World } from "./testing/world";

/**
 * The real interpreter driving the PBX through CallChannel: the contract in
 * flows/runtime/ports.ts exercised end to end on the reception fixture
 * (business hours → menu → sales ring group 101/102, or the support queue).
 */
let world: World;
afterEach(() => world?.cleanup());

function receptionWorld(clockStart?: string) {
  const runs: FlowRunResult[] = [];
  const document = flowDocument(businessHoursJson);
  world = createWorld({
    clockStart,
    flow: async (channel, call, variables) => {
      const ctx: RuntimeContext = { clock: world.clock, integration: new InMemoryIntegration({ clock: world.clock }), flows: new InMemoryFlowLoader(), logger: world.logger };
      runs.push(await runFlow(ctx, channel, document, call, { variables }));
    },
  });
  world.directory.addAgent({ agentId: "a3", userId: "user-103", name: "Agent 3", extension: "103" });
  world.directory.addQueue({ id: "support", strategy: "ring_all", maxWaitS: 180, wrapUpS: 0, members: [{ agentId: "a3", extension: "103" }] });
  return runs;
}

const ringingAt = (extension: string) => world.pbx.callsOfExtension(extension).some((item) => item.status === "ringing");
const path = (run: FlowRunResult) => run.trace.map((step) => (step.branch ? `${step.node_id}:${step.branch}` : step.node_id));

describe("the interpreter on the simulated PBX", () => {
  it("menu option 1 rings the sales group; an answer there ends in one answered CDR", async () => {
    const runs = receptionWorld();
    const { callId } = world.pbx.placeInboundCall({ from: CUSTOMER, to: DID });
    await world.advance(1000);
    world.pbx.sendDtmf(callId, "1");
    await world.advance(2000);
    expect([ringingAt("101"), ringingAt("102")]).toEqual([true, true]);
    world.pbx.answerPhone("102");
    await world.advance(45_000);
    world.pbx.hangupPhone("102");
    await world.advance(1000);
    expect(runs.map(path)).toEqual([["start:next", "hours:open", "menu:1", "sales:answered"]]);
    expect(world.onlyFinalCdr()).toMatchObject({ disposition: "answered", answered_by: { extension: "102" }, talk_time_s: 45, flow_id: "main" });
  });

  it("no choice goes to the support queue, where the agent answers", async () => {
    const runs = receptionWorld();
    world.pbx.agentLogin("a3");
    const { callId } = world.pbx.placeInboundCall({ from: CUSTOMER, to: DID });
    await world.advance(30_000); // the menu times out after its retries
    expect(ringingAt("103")).toBe(true);
    world.pbx.answerPhone("103");
    await world.advance(10_000);
    world.pbx.hangupCall(callId);
    await world.advance(100);
    expect(runs).toHaveLength(1);
    expect(runs[0].outcome).toBe("hangup");
    expect(path(runs[0]).at(-1)).toBe("support");
    expect(world.onlyFinalCdr()).toMatchObject({ queue_id: "support", agent_id: "a3", disposition: "answered", hangup_cause: "caller_hangup" });
  });

  it("outside business hours the caller hears the closed message and the flow hangs up", async () => {
    const runs = receptionWorld("2026-01-05T19:00:00Z");
    world.pbx.placeInboundCall({ from: CUSTOMER, to: DID });
    await world.advance(60_000);
    expect(runs.map(path)).toEqual([["start:next", "hours:closed", "closed:next", "bye"]]);
    expect(world.onlyFinalCdr()).toMatchObject({ disposition: "answered", answered_by: null, talk_time_s: 0 });
  });
});
