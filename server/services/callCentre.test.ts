import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { eq } from "drizzle-orm";
import { ManualClock } from "@/flows/runtime/testing/manualClock";
import { createTestDb, type TestDb } from "@/tests/helpers/db";
import type { Actor } from "@/lib/schemas/operations";
import type { Db } from "../db/client";
import { agentStateHistory, agents, cdrs, users } from "../db/schema";
import { Runtime } from "../runtime/runtime";
import { seedDemo } from "./demo";
import { createFlow } from "./flows";
import {
  agentAction,
  agentBoard,
  agentDailyReport,
  agentStatusTimes,
  createQueue,
  deleteQueue,
  listQueues,
  setUserIsAgent,
  startOfDayIn,
  updateQueue,
} from "./callCentre";
import { serviceError } from "@/tests/helpers/errors";

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

const userId = async (email: string) => (await db.select().from(users).where(eq(users.email, email)).limit(1))[0]!.id;
const agentOf = async (email: string) => (await db.select().from(agents).where(eq(agents.userId, (await userId(email)))).limit(1))[0]!.id;
const asUser = async (email: string): Promise<Actor> => ({ kind: "user", role: "user", userId: (await userId(email)) });
const admin: Actor = { kind: "user", role: "admin", userId: "usr_admin" };

async function history(agentId: string, entries: Array<[at: string, status: "logged_out" | "available" | "paused" | "on_call" | "wrap_up", reason?: string]>) {
  for (const [at, status, reason] of entries) await db.insert(agentStateHistory).values({ agentId, status, pauseReason: reason ?? null, at });
}

async function answeredLeg(id: string, agentId: string | null, answeredAt: string, isFinal = true) {
  const document = { cdr_id: id, agent_id: agentId, answered_at: answeredAt, ended_at: answeredAt, is_final: isFinal };
  await db
    .insert(cdrs)
    .values({
      cdrId: id,
      conversationId: `conv_${id}`,
      callId: `call_${id}`,
      sequence: 1,
      isFinal,
      direction: "inbound",
      disposition: "answered",
      callerNumber: "+36301112233",
      calledNumber: "+3612345678",
      startedAt: answeredAt,
      endedAt: answeredAt,
      document,
    });
}

describe("time in state", () => {
  it("clips intervals to [from, until), starts from the state before `from`, and splits pauses by reason", async () => {
    const peter = (await agentOf("peter.nagy@demo.example"));
    await history(peter, [
      ["2026-11-23T20:00:00.000Z", "available"], // before the window: available at 08:00
      ["2026-11-24T09:00:00.000Z", "paused", "lunch"],
      ["2026-11-24T09:30:00.000Z", "paused"], // reason changed to none
      ["2026-11-24T09:40:00.000Z", "available"],
      ["2026-11-24T10:00:00.000Z", "on_call"],
      ["2026-11-24T10:05:00.000Z", "wrap_up"],
      ["2026-11-24T10:05:30.000Z", "available"],
      ["2026-11-24T11:00:00.000Z", "logged_out"],
      ["2026-11-24T13:00:00.000Z", "available"], // after the window
    ]);
    await answeredLeg("a1", peter, "2026-11-24T10:00:00.000Z");
    await answeredLeg("a2", peter, "2026-11-24T10:30:00.000Z", false); // a partial leg counts too
    await answeredLeg("a3", peter, "2026-11-24T12:30:00.000Z"); // outside the window
    await answeredLeg("a4", null, "2026-11-24T10:10:00.000Z"); // not an agent call

    const [item] = await agentStatusTimes(db, { from: "2026-11-24T08:00:00Z", until: "2026-11-24T12:00:00Z", agent_id: peter }, Date.parse("2026-11-25T00:00:00Z"));
    expect(item).toEqual({
      agent_id: peter,
      user_id: (await userId("peter.nagy@demo.example")),
      name: "Péter Nagy",
      available_s: 3600 + 20 * 60 + 54 * 60 + 30,
      paused_s: 40 * 60,
      on_call_s: 300,
      wrap_up_s: 30,
      logged_in_s: 3 * 3600,
      paused_by_reason: { lunch: 1800, unspecified: 600 },
      answered_calls: 2,
    });
  });

  it("counts a state still open until now, or until `until` when that comes first; nothing after now", async () => {
    const eszter = (await agentOf("eszter.szabo@demo.example"));
    await history(eszter, [
      ["2026-11-24T09:00:00.000Z", "available"],
      ["2026-11-24T09:10:00.000Z", "paused", "break"],
    ]);
    const at = async (now: string, until: string) =>
      (await agentStatusTimes(db, { from: "2026-11-24T09:00:00+00:00", until, agent_id: eszter }, Date.parse(now)))[0];
    expect(await at("2026-11-24T09:15:00Z", "2026-11-24T10:00:00Z")).toMatchObject({ available_s: 600, paused_s: 300, logged_in_s: 900, paused_by_reason: { break: 300 } });
    expect(await at("2026-11-24T12:00:00Z", "2026-11-24T10:00:00Z")).toMatchObject({ paused_s: 3000, logged_in_s: 3600 });
    // A window given with an offset is the same instant range.
    expect((await agentStatusTimes(db, { from: "2026-11-24T10:00:00+01:00", until: "2026-11-24T11:00:00+01:00", agent_id: eszter }, Date.parse("2026-11-24T12:00:00Z")))[0]).toMatchObject({ logged_in_s: 3600 });
  });

  it("lists every agent, zero for those without history, and refuses a bad window", async () => {
    const items = await agentStatusTimes(db, { from: "2026-11-24T00:00:00Z", until: "2026-11-25T00:00:00Z" }, Date.parse("2026-11-26T00:00:00Z"));
    expect(items.map((i) => [i.name, i.logged_in_s])).toEqual([
      ["Eszter Szabó", 0],
      ["Gábor Tóth", 0],
      ["Péter Nagy", 0],
    ]);
    await expect(agentStatusTimes(db, { from: "2026-11-25T00:00:00Z", until: "2026-11-24T00:00:00Z" })).rejects.toThrow(/range/);
    expect((await serviceError(async () => agentStatusTimes(db, { from: "2026-11-24T00:00:00Z", until: "2026-11-25T00:00:00Z", agent_id: "agt_nope" }))).code).toBe("not_found");
  });

  it("splits a report into local calendar days whose sums equal the whole window exactly", async () => {
    const peter = (await agentOf("peter.nagy@demo.example"));
    // Budapest is UTC+1 in November: 23:30 local on the 23rd to 00:45 local on the 25th.
    await history(peter, [
      ["2026-11-23T22:30:00.000Z", "available"],
      ["2026-11-24T08:00:00.123Z", "paused", "meeting"],
      ["2026-11-24T08:00:00.456Z", "available"],
      ["2026-11-24T23:45:00.000Z", "logged_out"],
    ]);
    await answeredLeg("b1", peter, "2026-11-23T23:10:00.000Z"); // 00:10 local on the 24th
    const report = await agentDailyReport(db, { fromDay: "2026-11-23", untilDay: "2026-11-25", timeZone: "Europe/Budapest", agent_id: peter }, Date.parse("2026-12-01T00:00:00Z"));
    expect(report.days.map((d) => [d.day, d.from, d.items[0].logged_in_s, d.items[0].answered_calls])).toEqual([
      ["2026-11-23", "2026-11-22T23:00:00.000Z", 1800, 0],
      ["2026-11-24", "2026-11-23T23:00:00.000Z", 86_400, 1],
      ["2026-11-25", "2026-11-24T23:00:00.000Z", 2700, 0],
    ]);
    const total = report.totals[0];
    expect(total.logged_in_s).toBe(report.days.reduce((sum, d) => sum + d.items[0].logged_in_s, 0));
    expect(total).toEqual((await agentStatusTimes(db, { from: report.from, until: report.until, agent_id: peter }, Date.parse("2026-12-01T00:00:00Z")))[0]);
    expect(total.paused_by_reason).toEqual({ meeting: 0.333 });
  });

  it("finds local midnight across daylight-saving changes", () => {
    expect(new Date(startOfDayIn("2026-03-29", "Europe/Budapest")).toISOString()).toBe("2026-03-28T23:00:00.000Z");
    expect(new Date(startOfDayIn("2026-03-30", "Europe/Budapest")).toISOString()).toBe("2026-03-29T22:00:00.000Z");
    expect(new Date(startOfDayIn("2026-07-01", "America/New_York")).toISOString()).toBe("2026-07-01T04:00:00.000Z");
  });
});

describe("queues", () => {
  it("creates, updates and lists queues with their agent members; refuses non-agents", async () => {
    const peter = (await agentOf("peter.nagy@demo.example"));
    const queue = await createQueue(db, { name: "Sales", strategy: "ring_all", maxWaitS: 60, wrapUpS: 5, memberAgentIds: [peter] });
    expect(queue.members.map((m) => m.name)).toEqual(["Péter Nagy"]);
    const updated = await updateQueue(db, queue.id, { name: "Sales line", strategy: "longest_idle", maxWaitS: 90, wrapUpS: 0, memberAgentIds: [] });
    expect(updated).toMatchObject({ name: "Sales line", strategy: "longest_idle", maxWaitS: 90, wrapUpS: 0, members: [] });
    expect((await serviceError(async () => updateQueue(db, queue.id, { name: "x", strategy: "ring_all", maxWaitS: 60, wrapUpS: 0, memberAgentIds: ["agt_nope"] }))).options.field).toBe(
      "memberAgentIds",
    );
    await deleteQueue(db, queue.id);
    expect((await listQueues(db)).map((q) => q.name)).toEqual(["Customer support"]);
  });

  it("refuses to delete a queue a flow still sends calls to", async () => {
    const [demoQueue] = await listQueues(db);
    const error = await serviceError(async () => deleteQueue(db, demoQueue.id));
    expect([error.code, error.options.messageKey]).toEqual(["conflict", "operations.errors.queueInUse"]);
    const unused = await createQueue(db, { name: "Spare", strategy: "ring_all", maxWaitS: 60, wrapUpS: 5 });
    await createFlow(db, { schema_version: 1, name: "Draft only", nodes: [{ id: "q", type: "queue", position: { x: 0, y: 0 }, config: { queue_id: unused.id } }], edges: [] } as never, null);
    expect((await serviceError(async () => deleteQueue(db, unused.id))).code).toBe("conflict");
  });
});

describe("agents", () => {
  async function startRuntime() {
    const clock = new ManualClock(Date.parse("2026-11-24T09:00:00Z"));
    return { clock, runtime: new Runtime({ data: await runtimeStore(), recordingsDir: path.join(dir, "recordings"), logger: { debug() {}, info() {}, warn() {}, error() {} }, clock }) };
  }

  it("lets agents change their own state and admins anyone's; writes the history the report reads", async () => {
    const { clock, runtime } = await startRuntime();
    const peter = (await agentOf("peter.nagy@demo.example"));
    const eszter = (await agentOf("eszter.szabo@demo.example"));
    expect((await agentAction(db, runtime.pbx, (await asUser("peter.nagy@demo.example")), { agentId: peter, action: "login" })).status).toBe("available");
    clock.advance(60_000);
    expect(await agentAction(db, runtime.pbx, (await asUser("peter.nagy@demo.example")), { agentId: peter, action: "pause", reason: "lunch" })).toMatchObject({
      status: "paused",
      pause_reason: "lunch",
      since: "2026-11-24T09:01:00.000Z",
    });
    const refused = await serviceError(async () => agentAction(db, runtime.pbx, (await asUser("peter.nagy@demo.example")), { agentId: eszter, action: "login" }));
    expect(refused.code).toBe("forbidden");
    await agentAction(db, runtime.pbx, admin, { agentId: eszter, action: "login" });
    expect((await serviceError(async () => agentAction(db, runtime.pbx, admin, { agentId: eszter, action: "resume" }))).code).toBe("conflict");
    clock.advance(120_000);

    expect((await agentBoard(db, runtime.pbx.agentStates())).map((a) => [a.name, a.status, a.queues])).toEqual([
      ["Eszter Szabó", "available", ["Customer support"]],
      ["Gábor Tóth", "logged_out", ["Customer support"]],
      ["Péter Nagy", "paused", ["Customer support"]],
    ]);
    await durable(); // the history the runtime recorded
    const [times] = await agentStatusTimes(db, { from: "2026-11-24T09:00:00Z", until: "2026-11-24T10:00:00Z", agent_id: peter }, clock.now());
    expect(times).toMatchObject({ available_s: 60, paused_s: 120, paused_by_reason: { lunch: 120 } });
    runtime.shutdown();
  });

  it("makes a user an agent and back; removing a logged-in agent logs them out first", async () => {
    const { runtime } = await startRuntime();
    const anna = (await userId("anna.kovacs@demo.example"));
    const { agentId } = await setUserIsAgent(db, runtime.pbx, anna, true);
    expect((await setUserIsAgent(db, runtime.pbx, anna, true)).agentId).toBe(agentId);
    // The runtime's directory sees the new agent (on PostgreSQL once its snapshot reloaded on the change notification).
    await vi.waitFor(() => expect(runtime.directory.agent(agentId!)).not.toBeNull());
    runtime.pbx.agentLogin(agentId!);
    expect((await setUserIsAgent(db, runtime.pbx, anna, false)).agentId).toBeNull();
    await vi.waitFor(() => expect(runtime.pbx.agentStates().some((a) => a.agent_id === agentId)).toBe(false));
    expect((await serviceError(async () => setUserIsAgent(db, runtime.pbx, "usr_nope", true))).code).toBe("not_found");
    runtime.shutdown();
  });
});
