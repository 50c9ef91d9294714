import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { flushPromises, ManualClock } from "@/flows/runtime/testing/manualClock";
import { createTestDb, type TestDb } from "@/tests/helpers/db";
import { cdr, storeCdrs } from "@/tests/helpers/cdrs";
import type { Actor } from "@/lib/schemas/operations";
import type { Db } from "../db/client";
import { users } from "../db/schema";
import type { Cdr } from "../pbx/cdr";
import { Runtime } from "../runtime/runtime";
import { seedDemo } from "./demo";
import { callsWithTrace, getCallTrace, listCdrs, listLiveCalls } from "./callHistory";
import { runtimeLiveCalls } from "../live/liveCallViews";
import { ServiceError } from "./errors";

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
const asUser = async (email: string): Promise<Actor> => ({ kind: "user", role: "user", userId: (await db.select().from(users).where(eq(users.email, email)).limit(1))[0]!.id });

const store = (...records: Cdr[]) => storeCdrs(db, ...records);

const at = (minute: number) => new Date(Date.parse("2026-11-24T08:00:00Z") + minute * 60_000).toISOString();

describe("call history", () => {
  it("pages newest first with a cursor that neither skips nor repeats while new calls are recorded", async () => {
    // 230 calls, several ending in the same second (ties are ordered by cdr id).
    await store(...Array.from({ length: 230 }, (_, i) => cdr(`c${String(i).padStart(3, "0")}`, at(Math.floor(i / 3)))));
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await listCdrs(db, admin, { limit: 40, cursor });
      seen.push(...page.items.map((c) => c.cdr_id));
      cursor = page.next_cursor ?? undefined;
      pages++;
      // Calls recorded between page requests: newer ones, and one tied with the page's last row.
      if (pages === 2) await store(cdr("new-late", at(500)), cdr("c999", at(Math.floor(229 / 3))));
    } while (cursor);
    expect(pages).toBe(6);
    const original = seen.filter((id) => /^c\d{3}$/.test(id) && id !== "c999");
    expect(original).toHaveLength(230);
    expect(new Set(seen).size).toBe(seen.length);
    expect(original).toEqual([...original].sort((a, b) => (a < b ? 1 : -1)));
  });

  it("filters by time window, direction, disposition and an extension anywhere in the conversation", async () => {
    await store(
      cdr("p1", at(10), { conversation_id: "conv_t", is_final: false, answered_by: { extension: "102", user_id: null, number: "102" }, disposition: "answered" }),
      cdr("f1", at(12), { conversation_id: "conv_t", sequence: 2, requested: { extension: "103" }, disposition: "answered" }),
      cdr("f2", at(20), { direction: "outbound", disposition: "busy", caller: { number: "104", name: null }, requested: { number: "+3614445566" } }),
      cdr("f3", at(30), { disposition: "voicemail", requested: { extension: "101" } }),
    );
    const ids = async (query: Parameters<typeof listCdrs>[2]) => (await listCdrs(db, admin, query)).items.map((c) => c.cdr_id);
    expect(await ids({})).toEqual(["f3", "f2", "f1"]);
    expect(await ids({ from: at(12), until: at(30) })).toEqual(["f2", "f1"]);
    expect(await ids({ direction: "outbound" })).toEqual(["f2"]);
    expect(await ids({ disposition: "voicemail" })).toEqual(["f3"]);
    expect(await ids({ extension: "102" })).toEqual(["f1"]); // 102 answered only the first, partial leg
    expect(await ids({ extension: "104" })).toEqual(["f2"]);
    await expect(listCdrs(db, admin, { cursor: "not-a-cursor" })).rejects.toThrow(ServiceError);
  });

  it("shows a user only the calls of their own extensions", async () => {
    await store(
      cdr("mine", at(1), { requested: { extension: "102" } }),
      cdr("theirs", at(2), { requested: { extension: "103" } }),
      cdr("forwarded", at(3), { requested: { extension: "104" }, forwarded_from: { extension: "102" } }),
    );
    expect((await listCdrs(db, (await asUser("peter.nagy@demo.example")))).items.map((c) => c.cdr_id)).toEqual(["forwarded", "mine"]);
    expect((await listCdrs(db, { kind: "user", role: "user", userId: "usr_without_extension" })).items).toEqual([]);
    expect((await listCdrs(db, { kind: "api" })).items).toHaveLength(3);
  });
});

describe("calls from the runtime", () => {
  it("lists a live call for those who may see it, then its CDR and its flow trace", async () => {
    const clock = new ManualClock(Date.parse("2026-11-24T09:00:00Z"));
    fs.mkdirSync(path.join(dir, "recordings"), { recursive: true });
    const runtime = new Runtime({ data: await runtimeStore(), recordingsDir: path.join(dir, "recordings"), logger: { debug() {}, info() {}, warn() {}, error() {} }, clock });
    const { callId } = runtime.pbx.placeInboundCall({ from: "+36301112233", to: "+3612345678" });
    await clock.advanceAsync(2_000);
    runtime.pbx.sendDtmf(callId, "1");
    await clock.advanceAsync(500);

    const live = await listLiveCalls(db, runtimeLiveCalls(runtime.pbx, runtime.live), admin);
    expect(live).toEqual([expect.objectContaining({ call_id: callId, current_node_id: "sales" })]);
    // The sales ring group rings 101 and 102; 105 sees nothing.
    expect((await listLiveCalls(db, runtimeLiveCalls(runtime.pbx, runtime.live), (await asUser("anna.kovacs@demo.example")))).map((c) => c.call_id)).toEqual([callId]);
    expect(await listLiveCalls(db, runtimeLiveCalls(runtime.pbx, runtime.live), (await asUser("judit.horvath@demo.example")))).toEqual([]);

    runtime.pbx.answerPhone("101");
    await clock.advanceAsync(10_000);
    runtime.pbx.hangupCall(callId);
    await flushPromises();
    expect(await listLiveCalls(db, runtimeLiveCalls(runtime.pbx, runtime.live), admin)).toEqual([]);
    await durable(); // the CDR and trace the runtime recorded

    const [record] = (await listCdrs(db, (await asUser("anna.kovacs@demo.example")))).items;
    expect(record).toMatchObject({ call_id: callId, disposition: "answered", answered_by: { extension: "101" } });
    expect(await callsWithTrace(db, [callId, "call_other"])).toEqual([callId]);
    expect((await getCallTrace(db, admin, callId)).steps.map((s) => s.node_id)).toEqual(["start", "hours", "menu", "sales"]);
    await expect(getCallTrace(db, (await asUser("judit.horvath@demo.example")), callId)).rejects.toThrow(/does not exist/);
    runtime.shutdown();
  });
});
