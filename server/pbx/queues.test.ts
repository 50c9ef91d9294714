import { afterEach, describe, expect, it } from "vitest";
import type { CallChannel, QueueResult } from "@/flows/runtime/ports";
import type { QueueStrategy } from "./directory";
import { PbxError } from "./errors";
import { createWorld, CUSTOMER, DID, type World } from "./testing/world";

let world: World;
afterEach(() => world?.cleanup());

const HOLD = { text: "Please hold the line", language: "en" };

/** Agents a1..a3 on extensions 101..103 in queue "support"; every call waits in it (then leaves a voicemail on timeout). */
function queueWorld(strategy: QueueStrategy, options: { wrapUpS?: number; maxWaitS?: number } = {}) {
  const results: QueueResult[] = [];
  world = createWorld({
    flow: async (channel: CallChannel) => {
      const result = await channel.enqueue({ queueId: "support", maxWaitMs: 0, holdPrompt: HOLD });
      results.push(result);
      if (result.status === "timeout") await channel.voicemail({ mailboxExtension: "105", maxLengthMs: 5000 });
    },
  });
  for (const n of [1, 2, 3]) world.directory.addAgent({ agentId: `a${n}`, userId: `user-10${n}`, name: `Agent ${n}`, extension: `10${n}` });
  world.directory.addQueue({
    id: "support",
    strategy,
    maxWaitS: options.maxWaitS ?? 60,
    wrapUpS: options.wrapUpS ?? 10,
    agentRingTimeoutS: 15,
    members: [1, 2, 3].map((n) => ({ agentId: `a${n}`, extension: `10${n}` })),
  });
  return results;
}

const ringing = (...extensions: string[]) => extensions.filter((extension) => world.pbx.callsOfExtension(extension).some((item) => item.status === "ringing"));
const statusOf = (agentId: string) => world.pbx.agentStates().find((state) => state.agent_id === agentId)?.status;
const history = (agentId: string) =>
  world.eventsOf("agent.state_changed").flatMap(({ change }) => (change.agent_id === agentId ? [change.pause_reason ? `${change.status}:${change.pause_reason}` : change.status] : []));

describe("queues", () => {
  it("no_agents when no member is logged in, without touching the call's legs", async () => {
    const results = queueWorld("ring_all");
    world.pbx.placeInboundCall({ from: CUSTOMER, to: DID });
    await world.flush();
    expect(results).toEqual([{ status: "no_agents" }]);
    expect(world.onlyFinalCdr()).toMatchObject({ queue_id: null, legs: [] });
  });

  it("ring-all rings every free agent; the first answer wins; wrap-up returns the agent to available", async () => {
    const results = queueWorld("ring_all");
    world.pbx.agentLogin("a1");
    world.pbx.agentLogin("a2");
    world.pbx.placeInboundCall({ from: CUSTOMER, to: DID });
    await world.advance(2000);
    expect(ringing("101", "102", "103")).toEqual(["101", "102"]);
    world.pbx.answerPhone("102");
    expect(ringing("101", "102")).toEqual([]);
    expect(statusOf("a2")).toBe("on_call");
    expect(statusOf("a1")).toBe("available");
    await world.advance(30_000);
    world.pbx.hangupPhone("102");
    await world.flush();
    expect(results).toEqual([{ status: "answered", agentId: "a2", answeredBy: { extension: "102", userId: "user-102" } }]);
    expect(statusOf("a2")).toBe("wrap_up");
    await world.advance(9999);
    expect(statusOf("a2")).toBe("wrap_up");
    await world.advance(1);
    expect(statusOf("a2")).toBe("available");
    expect(history("a2")).toEqual(["available", "on_call", "wrap_up", "available"]);
    expect(world.onlyFinalCdr()).toMatchObject({ queue_id: "support", agent_id: "a2", answered_by: { extension: "102" }, ring_time_s: 2, talk_time_s: 30 });
    expect(world.eventsOf("call.ringing").map((event) => [event.data.callee.extension, event.data.queue_id])).toEqual([
      ["101", "support"],
      ["102", "support"],
    ]);
  });

  it("longest-idle offers one agent at a time, moving on when the offer rings out", async () => {
    queueWorld("longest_idle");
    world.pbx.agentLogin("a2");
    await world.advance(1000);
    world.pbx.agentLogin("a1");
    world.pbx.placeInboundCall({ from: CUSTOMER, to: DID });
    await world.flush();
    expect(ringing("101", "102")).toEqual(["102"]);
    await world.advance(15_000);
    expect(ringing("101", "102")).toEqual(["101"]);
    world.pbx.answerPhone("101");
    expect(statusOf("a1")).toBe("on_call");
  });

  it("longest-idle sends the next call to the agent who has waited longest since their last call", async () => {
    queueWorld("longest_idle", { wrapUpS: 0 });
    world.pbx.agentLogin("a1");
    await world.advance(1000);
    world.pbx.agentLogin("a2");
    world.pbx.placeInboundCall({ from: CUSTOMER, to: DID });
    await world.flush();
    world.pbx.answerPhone("101");
    await world.advance(5000);
    world.pbx.hangupPhone("101");
    await world.flush();
    expect(statusOf("a1")).toBe("available");
    world.pbx.placeInboundCall({ from: CUSTOMER, to: DID });
    await world.flush();
    expect(ringing("101", "102")).toEqual(["102"]);
  });

  it("a caller waiting past max wait times out: the queue leg closes and the flow goes on", async () => {
    const results = queueWorld("ring_all", { maxWaitS: 45 });
    world.pbx.agentLogin("a1");
    world.pbx.agentPause("a1", "lunch");
    const { callId } = world.pbx.placeInboundCall({ from: CUSTOMER, to: DID });
    await world.advance(44_999);
    expect(results).toEqual([]);
    await world.advance(1);
    expect(results).toEqual([{ status: "timeout" }]);
    expect(world.partialCdrs()).toMatchObject([{ leg_end_reason: "queue_timeout", queue_id: "support", disposition: "no_answer", ring_time_s: 45 }]);
    await world.advance(2000);
    world.pbx.hangupCall(callId);
    await world.flush();
    expect(world.onlyFinalCdr()).toMatchObject({ sequence: 2, requested: { extension: "105" }, disposition: "voicemail" });
  });

  it("a waiting caller is offered as soon as an agent resumes", async () => {
    const results = queueWorld("ring_all");
    world.pbx.agentLogin("a3");
    world.pbx.agentPause("a3", "meeting");
    world.pbx.placeInboundCall({ from: CUSTOMER, to: DID });
    await world.advance(20_000);
    expect(ringing("103")).toEqual([]);
    world.pbx.agentResume("a3");
    await world.flush();
    expect(ringing("103")).toEqual(["103"]);
    world.pbx.answerPhone("103");
    world.pbx.hangupPhone("103");
    await world.flush();
    expect(results[0]).toMatchObject({ status: "answered", agentId: "a3" });
    expect(history("a3")).toEqual(["available", "paused:meeting", "available", "on_call", "wrap_up"]);
  });

  it("callers are served in arrival order; the second waits for the agent's wrap-up", async () => {
    const results = queueWorld("longest_idle", { wrapUpS: 5 });
    world.pbx.agentLogin("a1");
    const first = world.pbx.placeInboundCall({ from: CUSTOMER, to: DID });
    const second = world.pbx.placeInboundCall({ from: "+36207777777", to: DID });
    await world.flush();
    expect(world.pbx.callsOfExtension("101")).toMatchObject([{ call_id: first.callId, status: "ringing" }]);
    world.pbx.answerPhone("101");
    world.pbx.hangupPhone("101");
    await world.advance(4999);
    expect(ringing("101")).toEqual([]);
    await world.advance(1);
    expect(world.pbx.callsOfExtension("101")).toMatchObject([{ call_id: second.callId, status: "ringing" }]);
    expect(results).toHaveLength(1);
  });

  it("a busy agent phone is skipped and the other agent rung", async () => {
    queueWorld("longest_idle");
    world.pbx.agentLogin("a1");
    await world.advance(1000);
    world.pbx.agentLogin("a2");
    world.pbx.setPhoneBehavior("101", { behavior: "busy" });
    world.pbx.placeInboundCall({ from: CUSTOMER, to: DID });
    await world.flush();
    await world.flush();
    expect(ringing("101", "102")).toEqual(["102"]);
  });

  it("a caller hanging up while agents ring withdraws the offers", async () => {
    const results = queueWorld("ring_all");
    world.pbx.agentLogin("a1");
    const { callId } = world.pbx.placeInboundCall({ from: CUSTOMER, to: DID });
    await world.advance(3000);
    world.pbx.hangupCall(callId);
    await world.flush();
    expect(results).toEqual([{ status: "hangup" }]);
    expect(ringing("101")).toEqual([]);
    expect(statusOf("a1")).toBe("available");
    expect(world.onlyFinalCdr()).toMatchObject({ disposition: "cancelled", queue_id: "support", hangup_cause: "caller_hangup" });
  });
});

describe("agent states", () => {
  it("reports every agent in the API shape and keeps an append-only history", async () => {
    queueWorld("ring_all");
    const start = world.clock.now();
    world.pbx.agentLogin("a1");
    world.pbx.agentLogin("a1"); // already logged in: no new history entry
    await world.advance(60_000);
    world.pbx.agentPause("a1", "coffee");
    expect(world.pbx.agentStates()).toEqual([
      { agent_id: "a1", user_id: "user-101", name: "Agent 1", extension: "101", status: "paused", pause_reason: "coffee", since: new Date(start + 60_000).toISOString() },
      { agent_id: "a2", user_id: "user-102", name: "Agent 2", extension: "102", status: "logged_out", pause_reason: null, since: null },
      { agent_id: "a3", user_id: "user-103", name: "Agent 3", extension: "103", status: "logged_out", pause_reason: null, since: null },
    ]);
    world.pbx.agentResume("a1");
    world.pbx.agentLogout("a1");
    expect(world.eventsOf("agent.state_changed").map((event) => event.change)).toEqual([
      { agent_id: "a1", status: "available", pause_reason: null, at: new Date(start).toISOString() },
      { agent_id: "a1", status: "paused", pause_reason: "coffee", at: new Date(start + 60_000).toISOString() },
      { agent_id: "a1", status: "available", pause_reason: null, at: new Date(start + 60_000).toISOString() },
      { agent_id: "a1", status: "logged_out", pause_reason: null, at: new Date(start + 60_000).toISOString() },
    ]);
  });

  it("refuses impossible moves with clear errors", () => {
    queueWorld("ring_all");
    expect(() => world.pbx.agentPause("a1", "x")).toThrow(PbxError);
    expect(() => world.pbx.agentResume("a1")).toThrow(/not paused/);
    expect(() => world.pbx.agentLogin("nobody")).toThrow(/unknown agent/);
  });
});
