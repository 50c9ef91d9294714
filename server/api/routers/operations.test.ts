import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { flushPromises, ManualClock } from "@/flows/runtime/testing/manualClock";
import { createTestDb, type TestDb } from "@/tests/helpers/db";
import type { Db } from "../../db/client";
import { agents, users } from "../../db/schema";
import { installRuntimeForTests, Runtime } from "../../runtime";
import { seedDemo } from "../../services/demo";
import { listContacts } from "../../services/phonebook";
import { createCaller } from "../root";
import { trpcCode } from "@/tests/helpers/trpc";

let db: Db;
let cleanup: () => Promise<void>;
let runtime: Runtime;
let durable: TestDb["durable"];
let clock: ManualClock;
beforeEach(async () => {
  let dir: string;
  let runtimeStore: TestDb["runtimeStore"];
  ({ db, dir, runtimeStore, durable, cleanup } = await createTestDb());
  await seedDemo(db);
  clock = new ManualClock(Date.parse("2026-11-24T09:00:00Z"));
  runtime = new Runtime({
    data: await runtimeStore(),
    recordingsDir: path.join(dir, "recordings"),
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    clock,
  });
  installRuntimeForTests(runtime);
});
afterEach(async () => {
  runtime.shutdown();
  installRuntimeForTests(undefined);
  await cleanup();
});

const demoUser = async (email: string) => (await db.select().from(users).where(eq(users.email, email)).limit(1))[0]!;
const asAdmin = () => createCaller({ db, user: { id: "usr_admin", name: "Admin", email: "admin@example.com", role: "admin", locale: null } });
const asDemo = async (email: string) => {
  const user = await demoUser(email);
  return createCaller({ db, user: { id: user.id, name: user.firstName, email, role: "user", locale: null } });
};
const peter = () => asDemo("peter.nagy@demo.example"); // owns 102, an agent
const judit = () => asDemo("judit.horvath@demo.example"); // owns 105, not an agent
const anonymous = () => createCaller({ db, user: null });


describe("phonebook procedures", () => {
  it("let users read and search; only admins change, import or delete", async () => {
    expect((await (await peter()).phonebook.list({ search: "varga" })).items.map((c) => c.last_name)).toEqual(["Varga"]);
    expect(await trpcCode(anonymous().phonebook.list({}))).toBe("UNAUTHORIZED");
    expect(await trpcCode((await peter()).phonebook.create({ first_name: "Eve" }))).toBe("FORBIDDEN");
    expect(await trpcCode((await peter()).phonebook.import({ csv: "first_name\nEve" }))).toBe("FORBIDDEN");
    const [contact] = (await (await peter()).phonebook.list({})).items;
    expect(await trpcCode((await peter()).phonebook.delete({ id: contact.id }))).toBe("FORBIDDEN");
    expect((await listContacts(db)).total).toBe(4);

    const created = await asAdmin().phonebook.create({ first_name: "Eve", external_id: "crm-9", numbers: [{ type: "mobile", number: "06301234567" }] });
    expect(await trpcCode(asAdmin().phonebook.create({ first_name: "Eve 2", external_id: "crm-9" }))).toBe("CONFLICT");
    await asAdmin().phonebook.update({ id: created.id, version: 1, data: { first_name: "Eva" } });
    expect(await trpcCode(asAdmin().phonebook.update({ id: created.id, version: 1, data: { first_name: "Lost" } }))).toBe("PRECONDITION_FAILED");
    expect(await trpcCode(asAdmin().phonebook.create({ first_name: "Eve", unknown: 1 } as never))).toBe("BAD_REQUEST");
  });
});

describe("forwarding procedures", () => {
  const rule = (number: string) => ({ enabled: true, destination: { type: "extension" as const, number } });
  const only = (busy: ReturnType<typeof rule>) => ({ unconditional: null, busy, no_answer: null });

  it("let the owner and admins change an extension's forwarding, and refuse other users", async () => {
    await (await peter()).forwarding.save({ extension: "102", rules: only(rule("103")) });
    expect(await trpcCode((await judit()).forwarding.save({ extension: "102", rules: only(rule("104")) }))).toBe("FORBIDDEN");
    await asAdmin().forwarding.save({ extension: "105", rules: only(rule("101")) });
    expect((await (await peter()).forwarding.get({ extension: "102" })).busy?.destination.number).toBe("103");
    expect((await asAdmin().forwarding.get({ extension: "102" })).busy?.destination.number).toBe("103");
    // A plain user sees only their own extension's forwarding: neither get nor the overview shows anyone else's.
    expect(await trpcCode((await judit()).forwarding.get({ extension: "102" }))).toBe("FORBIDDEN");
    const overview = await (await judit()).forwarding.overview();
    expect(overview.map((e) => e.extension)).toEqual(["105"]);
    expect((await asAdmin().forwarding.overview()).length).toBeGreaterThan(3);
    expect(await trpcCode((await peter()).forwarding.save({ extension: "102", rules: only(rule("102")) }))).toBe("BAD_REQUEST");
  });
});

describe("call-centre procedures", () => {
  const agentOf = async (email: string) => (await db.select().from(agents).where(eq(agents.userId, (await demoUser(email)).id)).limit(1))[0]!.id;

  it("let agents act for themselves and admins for anyone; queues and agents are admin-only", async () => {
    const peterAgent = (await agentOf("peter.nagy@demo.example"));
    const eszterAgent = (await agentOf("eszter.szabo@demo.example"));
    expect((await (await peter()).callCentre.action({ agentId: peterAgent, action: "login" })).status).toBe("available");
    expect(await trpcCode((await peter()).callCentre.action({ agentId: eszterAgent, action: "login" }))).toBe("FORBIDDEN");
    await asAdmin().callCentre.action({ agentId: eszterAgent, action: "login" });
    await asAdmin().callCentre.action({ agentId: eszterAgent, action: "pause", reason: "training" });
    await durable(); // on PostgreSQL the board is read from the agent history the runtime queued
    const board = await (await judit()).callCentre.board();
    expect(board.myAgentId).toBeNull();
    expect(board.agents.find((a) => a.agent_id === eszterAgent)).toMatchObject({ status: "paused", pause_reason: "training" });

    expect(await trpcCode((await peter()).callCentre.queues())).toBe("FORBIDDEN");
    expect(await trpcCode((await peter()).callCentre.createQueue({ name: "x", strategy: "ring_all", maxWaitS: 60, wrapUpS: 0 }))).toBe("FORBIDDEN");
    expect(await trpcCode((await peter()).callCentre.setAgent({ userId: (await demoUser("judit.horvath@demo.example")).id, isAgent: true }))).toBe("FORBIDDEN");
    await asAdmin().callCentre.setAgent({ userId: (await demoUser("judit.horvath@demo.example")).id, isAgent: true });
    expect((await (await judit()).callCentre.board()).myAgentId).not.toBeNull();
  });

  it("gives admins everyone's report and an agent only their own", async () => {
    const query = { fromDay: "2026-11-24", untilDay: "2026-11-24", timeZone: "Europe/Budapest" };
    expect((await asAdmin().callCentre.report(query)).totals).toHaveLength(3);
    const own = await (await peter()).callCentre.report({ ...query, agent_id: (await agentOf("eszter.szabo@demo.example")) });
    expect(own.totals.map((t) => t.agent_id)).toEqual([(await agentOf("peter.nagy@demo.example"))]);
    expect(await trpcCode((await judit()).callCentre.report(query))).toBe("FORBIDDEN");
  });
});

describe("call procedures", () => {
  it("show users the live calls of their own extensions only", async () => {
    const { callId } = runtime.pbx.placeInboundCall({ from: "101", to: "102" });
    // On PostgreSQL live calls are read from the view the runtime publishes every 0.5 s on its clock (open_calls.live_view).
    await clock.advanceAsync(500);
    await durable();
    expect((await (await peter()).calls.live()).map((c) => c.call_id)).toEqual([callId]);
    expect(await (await judit()).calls.live()).toEqual([]);
    expect((await asAdmin().calls.live()).map((c) => c.call_id)).toEqual([callId]);
    expect(await trpcCode(anonymous().calls.history({}))).toBe("UNAUTHORIZED");
  });

  it("filter the history by call direction alongside tRPC's own paging direction", async () => {
    const { callId } = runtime.pbx.placeInboundCall({ from: "101", to: "102" });
    runtime.pbx.hangupCall(callId);
    await flushPromises();
    await durable();
    const internal = await (await peter()).calls.history({ callDirection: "internal", direction: "forward" });
    expect(internal.items.map((c) => c.call_id)).toEqual([callId]);
    expect((await (await peter()).calls.history({ callDirection: "inbound" })).items).toEqual([]);
    expect((await (await judit()).calls.history({})).items).toEqual([]);
  });
});
