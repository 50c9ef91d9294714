import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { flushPromises, ManualClock } from "@/flows/runtime/testing/manualClock";
import { createTestDb, type TestDb } from "@/tests/helpers/db";
import type { Db } from "../db/client";
import { cdrs } from "../db/schema";
import { seedDemo } from "../services/demo";
import { createFlow } from "../services/flows";
import { createCaller } from "../api/root";
import { installRuntimeForTests, Runtime } from "./index";

const silent = { debug() {}, info() {}, warn() {}, error() {} };
let db: Db;
let cleanup: () => Promise<void>;
let runtimeStore: TestDb["runtimeStore"];
let clock: ManualClock;
let runtime: Runtime;

beforeEach(async () => {
  let dir: string;
  ({ db, dir, runtimeStore, cleanup } = await createTestDb());
  await seedDemo(db);
  clock = new ManualClock(Date.parse("2026-11-24T09:00:00Z"));
  runtime = new Runtime({ data: await runtimeStore(), recordingsDir: path.join(dir, "recordings"), logger: silent, clock });
  installRuntimeForTests(runtime);
});
afterEach(async () => {
  installRuntimeForTests(undefined);
  await cleanup();
});

const admin = () => createCaller({ db, user: { id: "usr_admin", name: "Admin", email: "a@example.com", role: "admin", locale: null } });

/** A draft that was never published: menu → 1 rings 103. */
async function draftFlow() {
  return createFlow(
    db,
    {
      schema_version: 1,
      name: "Draft under test",
      nodes: [
        { id: "start", type: "start", position: { x: 0, y: 0 }, config: {} },
        { id: "menu", type: "menu", position: { x: 200, y: 0 }, config: { prompt: "Press 1 for Eszter", options: ["1"], timeout_s: 5, max_retries: 1 } },
        { id: "eszter", type: "dial_extension", position: { x: 400, y: 0 }, config: { extension: "103", ring_timeout_s: 30 } },
      ],
      edges: [
        { id: "e1", source: "start", source_port: "next", target: "menu" },
        { id: "e2", source: "menu", source_port: "1", target: "eszter" },
      ],
    },
    null,
  );
}

describe("test calls from the editor", () => {
  it("run the draft in a sandbox: prompts, digits, ringing phone answered from the panel, no CDR stored", async () => {
    const flow = await draftFlow();
    const { callId } = await admin().testCalls.start({ flowId: flow.id, callerNumber: "06 30 111 2233", calledNumber: "+3612345678" });
    await clock.advanceAsync(1_000);
    let state = await admin().testCalls.state({ callId });
    expect(state.currentNodeId).toBe("menu");
    expect(state.prompts.map((p) => p.text)).toEqual(["Press 1 for Eszter"]);

    await admin().testCalls.dtmf({ callId, digits: "1" });
    await clock.advanceAsync(2_000);
    state = await admin().testCalls.state({ callId });
    expect(state.currentNodeId).toBe("eszter");
    expect(state.phones).toEqual([{ extension: "103", state: "ringing" }]);

    await admin().testCalls.answer({ callId, extension: "103" });
    await clock.advanceAsync(5_000);
    await admin().testCalls.hangup({ callId });
    await flushPromises();
    state = await admin().testCalls.state({ callId });
    expect(state).toMatchObject({ ended: true, disposition: "answered" });
    expect(state.trace.map((s) => [s.node_id, s.branch])).toEqual([
      ["start", "next"],
      ["menu", "1"],
      // The caller hung up while talking to 103, so the dial step took no port.
      ["eszter", null],
    ]);
    expect((await db.select().from(cdrs))).toEqual([]);
  });

  it("sees the simulated date and time the admin chose", async () => {
    const flow = await createFlow(
      db,
      {
        schema_version: 1,
        name: "Hours",
        nodes: [
          { id: "start", type: "start", position: { x: 0, y: 0 }, config: {} },
          { id: "hours", type: "time_condition", position: { x: 200, y: 0 }, config: { timezone: "Europe/Budapest", schedule: [{ days: ["mon", "tue", "wed", "thu", "fri"], from: "08:00", to: "17:00" }], holidays: [] } },
          { id: "bye", type: "hangup", position: { x: 400, y: 0 }, config: {} },
        ],
        edges: [
          { id: "e1", source: "start", source_port: "next", target: "hours" },
          { id: "e2", source: "hours", source_port: "open", target: "bye" },
          { id: "e3", source: "hours", source_port: "closed", target: "bye" },
        ],
      },
      null,
    );
    // Sunday evening in Budapest.
    const { callId } = await admin().testCalls.start({ flowId: flow.id, callerNumber: "+36301112233", calledNumber: "+3612345678", at: "2026-11-29T19:30:00+01:00" });
    await flushPromises();
    const state = await admin().testCalls.state({ callId });
    expect(state.trace.find((s) => s.node_id === "hours")?.branch).toBe("closed");
  });

  it("are for admins only", async () => {
    const flow = await draftFlow();
    const user = createCaller({ db, user: { id: "usr_u", name: "U", email: "u@example.com", role: "user", locale: null } });
    await expect(user.testCalls.start({ flowId: flow.id, callerNumber: "+36301112233", calledNumber: "+3612345678" })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});
