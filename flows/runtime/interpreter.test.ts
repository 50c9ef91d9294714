import { describe, expect, it } from "vitest";
import { runFlow } from "@/flows/runtime/interpreter";
import { ScriptedCallChannel } from "@/flows/runtime/testing/scriptedCallChannel";
import { createTestRuntime, sketchFlow, testCall } from "@/flows/runtime/testing/testRuntime";

const welcome = sketchFlow(
  [
    { id: "start", type: "start" },
    { id: "hello", type: "play", config: { text: "Welcome, {{ call.caller.number }}" } },
    { id: "menu", type: "menu", config: { prompt: "Sales 1, support 2", options: ["1", "2"], max_retries: 1 } },
    { id: "sales", type: "dial_extension", config: { extension: "101" } },
    { id: "support", type: "queue", config: { queue_id: "support" } },
    { id: "bye", type: "hangup" },
  ],
  ["start:next->hello", "hello:next->menu", "menu:1->sales", "menu:2->support", "menu:timeout->bye", "sales:no_answer->support"],
);

describe("runFlow", () => {
  it("follows ports, records a trace with clock durations and streams each step live", async () => {
    const runtime = createTestRuntime();
    const channel = new ScriptedCallChannel({ digits: ["1"], dial: ["no_answer"], queue: ["answered"], clock: runtime.clock });
    const result = await runFlow(runtime.ctx, channel, welcome, testCall());
    expect(result.trace.map((step) => [step.node_id, step.branch])).toEqual([
      ["start", "next"],
      ["hello", "next"],
      ["menu", "1"],
      ["sales", "no_answer"],
      ["support", "answered"],
    ]);
    expect(runtime.liveSteps).toEqual(result.trace);
    expect(result.trace[1]).toMatchObject({ type: "play", flow_id: "flow-main", at: "2026-01-05T09:00:00.000Z", duration_ms: 2000 });
    expect(result.trace[1].input).toEqual({ prompt: { text: "Welcome, +36301234567", language: "hu" } });
    expect(result.trace[3].duration_ms).toBe(30_000);
    // support:answered is not connected: the bridged call ends normally.
    expect(result).toMatchObject({ outcome: "completed", reason: "flow_end", lastNodeId: "support" });
    expect(channel.hangups).toEqual(["normal_clearing"]);
  });

  it("hangs up with flow_end when an unconnected port is reached without a bridge", async () => {
    const runtime = createTestRuntime();
    const channel = new ScriptedCallChannel({ digits: ["2"], queue: ["no_agents"] });
    const result = await runFlow(runtime.ctx, channel, welcome, testCall());
    expect(result).toMatchObject({ outcome: "completed", reason: "flow_end", lastNodeId: "support" });
    expect(channel.hangups).toEqual(["flow_end"]);
  });

  it("ends at a hangup node", async () => {
    const runtime = createTestRuntime();
    const channel = new ScriptedCallChannel({ digits: [null, null] });
    const result = await runFlow(runtime.ctx, channel, welcome, testCall());
    expect(result).toMatchObject({ outcome: "completed", reason: "hangup_node", lastNodeId: "bye" });
    expect(channel.hangups).toEqual(["normal_clearing"]);
  });

  it("reports a caller who hangs up and does not hang up again", async () => {
    const runtime = createTestRuntime();
    const channel = new ScriptedCallChannel({ hangUpAtOperation: 2 });
    const result = await runFlow(runtime.ctx, channel, welcome, testCall());
    expect(result).toMatchObject({ outcome: "hangup", reason: "caller_hangup", lastNodeId: "menu" });
    expect(result.trace.at(-1)).toMatchObject({ node_id: "menu", branch: null, output: { status: "hangup" } });
    expect(channel.hangups).toEqual([]);
  });

  it("starts with the IVR call's variables and returns the variables at the end", async () => {
    const flow = sketchFlow(
      [
        { id: "start", type: "start" },
        { id: "set", type: "set_variables", config: { assignments: [{ name: "total", value: "{{ amount | times: 2 }}" }] } },
      ],
      ["start:next->set"],
    );
    const runtime = createTestRuntime();
    const result = await runFlow(runtime.ctx, new ScriptedCallChannel(), flow, testCall(), { variables: { amount: 21, "not valid": 1 } });
    expect(result.variables).toEqual({ amount: 21, total: 42 });
  });
});

describe("guards", () => {
  it("stops a loop that re-enters a node more than 20 times (loop_limit)", async () => {
    const flow = sketchFlow(
      [
        { id: "start", type: "start" },
        { id: "ask", type: "menu", config: { prompt: "Press 1", options: ["1"], max_retries: 0 } },
        { id: "sorry", type: "play", config: { text: "Sorry" } },
      ],
      ["start:next->ask", "ask:timeout->sorry", "ask:1->sorry", "sorry:next->ask"],
    );
    const runtime = createTestRuntime();
    const channel = new ScriptedCallChannel();
    const result = await runFlow(runtime.ctx, channel, flow, testCall());
    expect(result).toMatchObject({ outcome: "failed", reason: "loop_limit" });
    expect(result.trace.filter((step) => step.node_id === "ask")).toHaveLength(20);
    expect(channel.hangups).toEqual(["flow_error"]);
  });

  it("stops after the step limit", async () => {
    const flow = sketchFlow(
      [
        { id: "start", type: "start" },
        { id: "a", type: "play", config: { text: "a" } },
        { id: "b", type: "play", config: { text: "b" } },
      ],
      ["start:next->a", "a:next->b", "b:next->a"],
    );
    const runtime = createTestRuntime({ limits: { maxSteps: 7, maxNodeEntries: 100 } });
    const result = await runFlow(runtime.ctx, new ScriptedCallChannel(), flow, testCall());
    expect(result).toMatchObject({ outcome: "failed", reason: "step_limit" });
    expect(result.trace).toHaveLength(7);
  });

  it("fails cleanly when an executor throws or a template cannot render", async () => {
    const flow = sketchFlow(
      [
        { id: "start", type: "start" },
        { id: "say", type: "play", config: { text: "Hello {{ nobody }}" } },
      ],
      ["start:next->say"],
    );
    const runtime = createTestRuntime();
    const channel = new ScriptedCallChannel();
    const result = await runFlow(runtime.ctx, channel, flow, testCall());
    expect(result).toMatchObject({ outcome: "failed", reason: "template_error", lastNodeId: "say" });
    expect(result.trace.at(-1)?.error).toMatch(/undefined variable: nobody/);
    expect(channel.hangups).toEqual(["flow_error"]);

    const broken = new ScriptedCallChannel();
    broken.play = () => Promise.reject(new Error("media server gone"));
    const plain = sketchFlow([{ id: "start", type: "start" }, { id: "say", type: "play", config: { text: "Hi" } }], ["start:next->say"]);
    const failed = await runFlow(runtime.ctx, broken, plain, testCall());
    expect(failed).toMatchObject({ outcome: "failed", reason: "executor_error" });
    expect(failed.trace.at(-1)?.error).toBe("media server gone");
  });

  it("survives listeners that throw", async () => {
    const runtime = createTestRuntime();
    runtime.ctx.onStep = () => {
      throw new Error("listener bug");
    };
    runtime.ctx.onNodeEntered = () => {
      throw new Error("listener bug");
    };
    const result = await runFlow(runtime.ctx, new ScriptedCallChannel({ digits: [null, null] }), welcome, testCall());
    expect(result.outcome).toBe("completed");
    expect(runtime.logger.entries.filter((entry) => entry.message === "runtime listener threw").length).toBeGreaterThan(0);
  });

  it("fails a document without a start node", async () => {
    const runtime = createTestRuntime();
    const noStart = sketchFlow([{ id: "bye", type: "hangup" }], []);
    const channel = new ScriptedCallChannel();
    expect(await runFlow(runtime.ctx, channel, noStart, testCall())).toMatchObject({ outcome: "failed", reason: "no_start_node", trace: [] });
    expect(channel.hangups).toEqual(["flow_error"]);
  });
});

describe("goto_flow", () => {
  const jump = sketchFlow(
    [
      { id: "start", type: "start" },
      { id: "set", type: "set_variables", config: { assignments: [{ name: "origin", value: "main" }] } },
      { id: "go", type: "goto_flow", config: { flow_id: "after-hours" } },
    ],
    ["start:next->set", "set:next->go"],
  );
  const afterHours = {
    schema_version: 1,
    name: "After hours",
    language: "en",
    nodes: [
      { id: "start", type: "start", position: { x: 0, y: 0 }, config: {} },
      { id: "say", type: "play", position: { x: 0, y: 0 }, config: { text: "Closed ({{ origin }}, {{ flow.name }})" } },
    ],
    edges: [{ id: "e1", source: "start", source_port: "next", target: "say" }],
  };

  it("continues in the other flow's published document, keeping variables", async () => {
    const runtime = createTestRuntime();
    runtime.flows.published.set("after-hours", afterHours);
    const channel = new ScriptedCallChannel();
    const result = await runFlow(runtime.ctx, channel, jump, testCall());
    expect(result.trace.map((step) => `${step.flow_id}/${step.node_id}`)).toEqual([
      "flow-main/start",
      "flow-main/set",
      "flow-main/go",
      "after-hours/start",
      "after-hours/say",
    ]);
    expect(channel.operations[0]).toEqual({ op: "play", prompt: { text: "Closed (main, After hours)", language: "en" } });
    expect(result).toMatchObject({ outcome: "completed", reason: "flow_end" });
  });

  it("fails cleanly for a missing or invalid flow", async () => {
    const runtime = createTestRuntime();
    expect(await runFlow(runtime.ctx, new ScriptedCallChannel(), jump, testCall())).toMatchObject({ outcome: "failed", reason: "goto_flow_not_found" });
    runtime.flows.published.set("after-hours", { schema_version: 1, name: "broken", nodes: "nope", edges: [] });
    expect(await runFlow(runtime.ctx, new ScriptedCallChannel(), jump, testCall())).toMatchObject({ outcome: "failed", reason: "goto_flow_invalid" });
  });

  it("bounds chains of jumps", async () => {
    const runtime = createTestRuntime({ limits: { maxGotoDepth: 3 } });
    const pingPong = (target: string) => ({
      schema_version: 1,
      name: target,
      nodes: [
        { id: "start", type: "start", position: { x: 0, y: 0 }, config: {} },
        { id: "go", type: "goto_flow", position: { x: 0, y: 0 }, config: { flow_id: target } },
      ],
      edges: [{ id: "e1", source: "start", source_port: "next", target: "go" }],
    });
    runtime.flows.published.set("a", pingPong("b"));
    runtime.flows.published.set("b", pingPong("a"));
    const channel = new ScriptedCallChannel();
    const result = await runFlow(runtime.ctx, channel, sketchFlow(pingPong("a").nodes, ["start:next->go"]), testCall());
    expect(result).toMatchObject({ outcome: "failed", reason: "goto_depth_limit" });
    expect(result.trace.filter((step) => step.type === "goto_flow")).toHaveLength(4);
    expect(channel.hangups).toEqual(["flow_error"]);
  });
});
