import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { eq } from "drizzle-orm";
import { flushPromises, ManualClock } from "@/flows/runtime/testing/manualClock";
import { createTestDb, type TestDb } from "@/tests/helpers/db";
import type { Db } from "../db/client";
import { agentStateHistory, callTraces, cdrs, openCalls } from "../db/schema";
import { seedDemo } from "../services/demo";
import { Runtime } from "./runtime";
import type { Cdr } from "../pbx/cdr";

const silent = { debug() {}, info() {}, warn() {}, error() {} };
let db: Db;
let dir: string;
let cleanup: () => Promise<void>;
let runtimeStore: TestDb["runtimeStore"];
let durable: TestDb["durable"];
let clock: ManualClock;

beforeEach(async () => {
  ({ db, dir, runtimeStore, durable, cleanup } = await createTestDb());
  await seedDemo(db);
  // A Tuesday at 10:00 in Budapest: the demo reception flow is open.
  clock = new ManualClock(Date.parse("2026-11-24T09:00:00Z"));
});
afterEach(() => cleanup());

async function newRuntime(): Promise<Runtime> {
  return new Runtime({ data: await runtimeStore(), recordingsDir: path.join(dir, "recordings"), logger: silent, clock });
}

// What the runtime recorded, once committed (PostgreSQL's writer queues it).
const finalCdrs = async () => {
  await durable();
  return (await db.select().from(cdrs).where(eq(cdrs.isFinal, true))).map((r) => r.document as Cdr);
};
const openCallIds = async () => {
  await durable();
  return (await db.select().from(openCalls)).map((r) => r.callId);
};

describe("the runtime", () => {
  it("runs the DID's published flow: menu key 1 rings sales, 101 answers, one final CDR and the trace are stored", async () => {
    const runtime = await newRuntime();
    fs.mkdirSync(path.join(dir, "recordings"), { recursive: true });
    const { callId } = runtime.pbx.placeInboundCall({ from: "+36301112233", to: "+3612345678" });
    expect(await openCallIds()).toEqual([callId]);

    // The published flow is read from the database (real I/O on PostgreSQL, which the manual clock does not wait for).
    await vi.waitFor(() => expect(runtime.live.get(callId)).toBeDefined());
    await clock.advanceAsync(2_000);
    expect(runtime.live.get(callId)?.currentNodeId).toBe("menu");
    runtime.pbx.sendDtmf(callId, "1");
    await clock.advanceAsync(500);
    expect(runtime.live.get(callId)?.currentNodeId).toBe("sales");
    runtime.pbx.answerPhone("101");
    await clock.advanceAsync(30_000);
    runtime.pbx.hangupCall(callId);
    await flushPromises();

    const [cdr] = await finalCdrs();
    expect(cdr).toMatchObject({ call_id: callId, disposition: "answered", is_final: true, caller: { number: "+36301112233", name: "László Varga" } });
    expect(cdr.answered_by).toMatchObject({ extension: "101" });
    expect(await openCallIds()).toEqual([]);
    const trace = (await db.select().from(callTraces).where(eq(callTraces.callId, callId)).limit(1))[0];
    expect((trace?.steps as { node_id: string }[]).map((s) => s.node_id)).toEqual(["start", "hours", "menu", "sales"]);
    expect(runtime.live.get(callId)?.prompts[0]?.text).toContain("For sales press 1");
  });

  it("closes calls left open by a crash with a failed / system_restart CDR after the partial ones, and logs agents out", async () => {
    const crashed = await newRuntime();
    const agentId = crashed.directory.agents()[0].agentId;
    crashed.pbx.agentLogin(agentId);
    const { callId } = crashed.pbx.placeInboundCall({ from: "+36209876543", to: "+3612345678" });
    await clock.advanceAsync(2_000);
    // The process dies here: no shutdown, no final CDR (what it recorded so far had been committed).
    await durable();

    const restarted = await newRuntime();
    expect(await restarted.recoverInterruptedCalls()).toBe(1);
    const [cdr] = await finalCdrs();
    expect(cdr).toMatchObject({ call_id: callId, disposition: "failed", hangup_cause: "system_restart", is_final: true });
    expect(await openCallIds()).toEqual([]);
    const history = (await db.select().from(agentStateHistory).where(eq(agentStateHistory.agentId, agentId)));
    expect(history.map((h) => h.status)).toEqual(["available", "logged_out"]);
    expect(await restarted.recoverInterruptedCalls()).toBe(0);
  });

  it("rejects a call to an unknown number with a clean final CDR", async () => {
    const runtime = await newRuntime();
    runtime.pbx.placeInboundCall({ from: "+36301112233", to: "+3619999999" });
    await flushPromises();
    expect(await finalCdrs()).toEqual([expect.objectContaining({ disposition: "failed", hangup_cause: "unallocated_number" })]);
  });
});
