import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { eq } from "drizzle-orm";
import { flushPromises, ManualClock } from "@/flows/runtime/testing/manualClock";
import { createTestDb, type TestDb } from "@/tests/helpers/db";
import type { Actor } from "@/lib/schemas/operations";
import type { Db } from "../db/client";
import { cdrs, users } from "../db/schema";
import type { Cdr } from "../pbx/cdr";
import { Runtime } from "../runtime/runtime";
import { seedDemo } from "./demo";
import { deleteForwardingRule, forwardingOverview, getForwarding, saveForwarding, setForwardingRule } from "./forwarding";
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

const userOf = async (email: string): Promise<Actor> => ({ kind: "user", role: "user", userId: (await db.select().from(users).where(eq(users.email, email)).limit(1))[0]!.id });
const peter = async () => (await userOf("peter.nagy@demo.example")); // owns 102
const eszter = async () => (await userOf("eszter.szabo@demo.example")); // owns 103
const admin: Actor = { kind: "user", role: "admin", userId: "usr_admin" };

const toExtension = (number: string) => ({ enabled: true, destination: { type: "extension" as const, number } });

describe("forwarding rules", () => {
  it("lets the owner and admins change an extension's forwarding, and nobody else", async () => {
    await setForwardingRule(db, (await peter()), "102", "busy", toExtension("103"));
    await setForwardingRule(db, admin, "102", "unconditional", { enabled: false, destination: { type: "external", number: "06 30 111 2233" } });
    await setForwardingRule(db, { kind: "api" }, "102", "no_answer", { ...toExtension("104"), ring_timeout_s: 15 });
    const refused = await serviceError(async () => setForwardingRule(db, (await eszter()), "102", "busy", toExtension("104")));
    expect([refused.code, refused.options.messageKey]).toEqual(["forbidden", "operations.errors.notYourExtension"]);
    expect((await serviceError(async () => deleteForwardingRule(db, (await eszter()), "102", "busy"))).code).toBe("forbidden");

    expect(await getForwarding(db, admin, "102")).toMatchObject({
      unconditional: { enabled: false, destination: { type: "external", number: "+36301112233" } },
      busy: { enabled: true, destination: { type: "extension", number: "103" } },
      no_answer: { enabled: true, destination: { type: "extension", number: "104" }, ring_timeout_s: 15 },
    });
    const overview = await forwardingOverview(db, (await peter()));
    expect(overview.filter((e) => e.canEdit).map((e) => e.extension)).toEqual(["102"]);
    expect(overview.find((e) => e.extension === "102")?.busy?.destination.number).toBe("103");
  });

  it("refuses forwarding to itself, to a missing extension and to an invalid number, storing nothing", async () => {
    const cases = [toExtension("102"), toExtension("999"), { enabled: true, destination: { type: "external" as const, number: "123" } }];
    const keys: Array<string | undefined> = [];
    for (const rule of cases) keys.push((await serviceError(async () => setForwardingRule(db, admin, "102", "busy", rule))).options.messageKey);
    expect(keys).toEqual(["operations.errors.forwardToSelf", "operations.errors.noSuchExtension", "operations.errors.phoneNumber"]);
    expect((await serviceError(async () => setForwardingRule(db, admin, "999", "busy", toExtension("102")))).code).toBe("not_found");
    expect(await getForwarding(db, admin, "102")).toMatchObject({ unconditional: null, busy: null, no_answer: null });
  });

  it("guards writes and deletes with the rule's etag", async () => {
    const first = await setForwardingRule(db, admin, "102", "busy", toExtension("103"));
    const second = await setForwardingRule(db, admin, "102", "busy", toExtension("104"), { ifMatch: first.etag });
    expect(second.etag).not.toBe(first.etag);
    expect((await serviceError(async () => setForwardingRule(db, admin, "102", "busy", toExtension("105"), { ifMatch: first.etag }))).code).toBe("precondition_failed");
    await deleteForwardingRule(db, admin, "102", "busy", { ifMatch: second.etag });
    expect((await serviceError(async () => deleteForwardingRule(db, admin, "102", "busy", { ifMatch: second.etag }))).code).toBe("precondition_failed");
    await deleteForwardingRule(db, admin, "102", "busy"); // idempotent without If-Match
    expect((await getForwarding(db, admin, "102")).busy).toBeNull();
  });

  it("saves the dialog's three rules all or nothing, naming the kind of a bad field", async () => {
    await saveForwarding(db, (await peter()), "102", { unconditional: null, busy: toExtension("103"), no_answer: null });
    const error = await serviceError(async () =>
      await saveForwarding(db, (await peter()), "102", { unconditional: toExtension("104"), busy: null, no_answer: toExtension("102") }),
    );
    expect(error.options.field).toBe("no_answer.destination.number");
    expect(await getForwarding(db, admin, "102")).toMatchObject({ unconditional: null, busy: { destination: { number: "103" } } });
    // The dialog opened when there was no unconditional rule; one created meanwhile is not overwritten.
    await setForwardingRule(db, admin, "102", "unconditional", toExtension("105"));
    const stale = await serviceError(async () => saveForwarding(db, (await peter()), "102", { unconditional: null, busy: null, no_answer: null }, { unconditional: null }));
    expect(stale.code).toBe("precondition_failed");
    expect((await getForwarding(db, admin, "102")).unconditional?.destination.number).toBe("105");
  });
});

describe("forwarding and the PBX", () => {
  it("diverts the next call to 102 as soon as the rule is saved, and stops when it is removed", async () => {
    const clock = new ManualClock(Date.parse("2026-11-24T09:00:00Z"));
    const runtime = new Runtime({ data: await runtimeStore(), recordingsDir: path.join(dir, "recordings"), logger: { debug() {}, info() {}, warn() {}, error() {} }, clock });
    await setForwardingRule(db, (await peter()), "102", "unconditional", toExtension("103"));
    // On PostgreSQL the runtime's directory is a snapshot, reloaded on the change notification.
    await vi.waitFor(() => expect(runtime.directory.extension("102")?.forwarding.unconditional).not.toBeNull());

    const forwarded = runtime.pbx.placeInboundCall({ from: "101", to: "102" });
    await clock.advanceAsync(1_000);
    expect(runtime.pbx.callsOfExtension("103").map((c) => c.call_id)).toEqual([forwarded.callId]);
    expect(runtime.pbx.callsOfExtension("102")).toEqual([]);
    runtime.pbx.answerPhone("103");
    await clock.advanceAsync(5_000);
    runtime.pbx.hangupCall(forwarded.callId);
    await flushPromises();
    await durable();
    const cdr = (await db.select().from(cdrs).where(eq(cdrs.callId, forwarded.callId))).find((r) => r.isFinal)!.document as Cdr;
    expect(cdr).toMatchObject({ disposition: "answered", answered_by: { extension: "103" }, forwarded_from: { extension: "102" } });

    await deleteForwardingRule(db, (await peter()), "102", "unconditional");
    await vi.waitFor(() => expect(runtime.directory.extension("102")?.forwarding.unconditional).toBeNull());
    const direct = runtime.pbx.placeInboundCall({ from: "101", to: "102" });
    await clock.advanceAsync(1_000);
    expect(runtime.pbx.callsOfExtension("102").map((c) => c.call_id)).toEqual([direct.callId]);
    runtime.shutdown();
  });
});
