import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { flushPromises, ManualClock } from "@/flows/runtime/testing/manualClock";
import { createTestDb, type TestDb } from "@/tests/helpers/db";
import type { Actor } from "@/lib/schemas/operations";
import type { Db } from "../db/client";
import { CallStore } from "../runtime/callStore";
import { Runtime } from "../runtime/runtime";
import { seedDemo } from "./demo";
import { getCallReplay, replayableCalls } from "./callReplay";
import { ServiceError } from "./errors";
import { callerAs, trpcCode } from "@/tests/helpers/trpc";

let db: Db;
let dir: string;
let cleanup: () => Promise<void>;
let runtimeStore: TestDb["runtimeStore"];
let durable: TestDb["durable"];
beforeEach(async () => {
  ({ db, dir, runtimeStore, durable, cleanup } = await createTestDb());
  await seedDemo(db);
});
afterEach(() => cleanup());

const admin: Actor = { kind: "user", role: "admin", userId: "usr_admin" };

describe("call replay", () => {
  it("returns a finished call's steps with its flow, revision, caller, called number and start time", async () => {
    const clock = new ManualClock(Date.parse("2026-11-24T09:00:00Z"));
    fs.mkdirSync(path.join(dir, "recordings"), { recursive: true });
    const runtime = new Runtime({ data: await runtimeStore(), recordingsDir: path.join(dir, "recordings"), logger: { debug() {}, info() {}, warn() {}, error() {} }, clock });
    const { callId } = runtime.pbx.placeInboundCall({ from: "+36301112233", to: "+3612345678" });
    // The published flow is read from the database (real I/O on PostgreSQL, which the manual clock does not wait for).
    await vi.waitFor(() => expect(runtime.live.get(callId)).toBeDefined());
    await clock.advanceAsync(2_000);
    runtime.pbx.sendDtmf(callId, "1");
    await clock.advanceAsync(500);
    runtime.pbx.hangupCall(callId);
    await flushPromises();
    await durable(); // the CDR and trace the runtime recorded

    const replay = await getCallReplay(db, admin, callId);
    expect(replay).toMatchObject({
      call_id: callId,
      flow_name: expect.any(String),
      revision: 1,
      caller_number: "+36301112233",
      called_number: "+3612345678",
      started_at: "2026-11-24T09:00:00.000Z",
    });
    expect(replay.flow_id).toMatch(/\S/);
    expect(replay.steps.map((step) => [step.node_id, step.branch])).toEqual([
      ["start", "next"],
      ["hours", "open"],
      ["menu", "1"],
      ["sales", null],
    ]);
    runtime.shutdown();
  });

  it("falls back to the first step's time when the call has no CDR, and keeps a draft's missing revision", async () => {
    const store = new CallStore(db);
    store.saveTrace(
      {
        callId: "call_draft",
        conversationId: "conv_draft",
        flowId: "flow_x",
        revision: null,
        outcome: "completed",
        steps: [{ node_id: "start", type: "start", flow_id: "flow_x", at: "2026-11-24T10:00:00.000Z", input: {}, output: {}, branch: "next", duration_ms: 0 }],
      },
      "2026-11-24T10:05:00.000Z",
    );
    await store.writer.durable();
    expect(await getCallReplay(db, admin, "call_draft")).toMatchObject({ revision: null, caller_number: null, called_number: null, started_at: "2026-11-24T10:00:00.000Z" });
    expect(await replayableCalls(db, ["call_draft", "call_other"])).toEqual({ call_draft: "flow_x" });
    expect(await replayableCalls(db, [])).toEqual({});
  });

  it("reports an unknown call as not found", async () => {
    await expect(getCallReplay(db, admin, "call_nope")).rejects.toThrow(ServiceError);
    await expect(getCallReplay(db, admin, "call_nope")).rejects.toThrow(/does not exist/);
  });

  it("is for admins only over tRPC, and an unknown call comes back as NOT_FOUND", async () => {
    expect(await trpcCode(callerAs(db, "user").calls.replay({ callId: "call_nope" }))).toBe("FORBIDDEN");
    expect(await trpcCode(callerAs(db, "admin").calls.replay({ callId: "call_nope" }))).toBe("NOT_FOUND");
  });
});
