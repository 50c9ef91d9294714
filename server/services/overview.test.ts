import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { ManualClock } from "@/flows/runtime/testing/manualClock";
import { createTestDb, onPostgres } from "@/tests/helpers/db";
import { cdr, storeCdrs } from "@/tests/helpers/cdrs";
import type { Actor } from "@/lib/schemas/operations";
import type { Db } from "../db/client";
import { users } from "../db/schema";
import type { AgentStateView } from "../pbx/agents";
import { createHarness, type Harness } from "../integration/testing/harness";
import { TestReceiver } from "../integration/testing/receiver";
import { sampleEvent } from "../integration/samples";
import { installIntegrationForTests } from "../integration";
import { seedDemo } from "./demo";
import { activityOverview, hookOverview } from "./overview";
import { ServiceError } from "./errors";

const admin: Actor = { kind: "user", role: "admin", userId: "usr_admin" };
const zone = "Europe/Budapest"; // UTC+1 in November

describe("calls and agents", () => {
  let db: Db;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ db, cleanup } = await createTestDb());
    await seedDemo(db);
  });
  afterEach(() => cleanup());

  const agent = (status: AgentStateView["status"]): AgentStateView => ({ agent_id: `agt_${status}`, user_id: null, name: status, extension: "101", status, pause_reason: null, since: null });

  it("counts today and the last hour, answered vs missed, by local hour in the viewer's time zone", async () => {
    // 11:30 in Budapest; local midnight was 23:00 UTC the day before.
    const clock = new ManualClock("2026-11-24T10:30:00.000Z");
    await storeCdrs(
      db,
      cdr("yesterday", "2026-11-23T22:50:00.000Z", { disposition: "answered" }),
      cdr("after-midnight", "2026-11-23T23:30:00.000Z", { disposition: "answered" }),
      cdr("ten-oclock", "2026-11-24T09:00:00.000Z", { disposition: "busy" }),
      cdr("recent-missed", "2026-11-24T09:45:00.000Z", { disposition: "no_answer" }),
      cdr("recent-voicemail", "2026-11-24T10:10:00.000Z", { disposition: "voicemail" }),
      cdr("recent-answered", "2026-11-24T10:20:00.000Z", { disposition: "answered", answered_by: { extension: "102", user_id: null, number: "102" } }),
      // A leg that is not the call's final record is not a call of its own.
      cdr("partial-leg", "2026-11-24T10:19:00.000Z", { is_final: false, conversation_id: "conv_recent-answered", disposition: "no_answer" }),
    );
    const overview = await activityOverview(db, admin, { timeZone: zone, agents: [agent("available"), agent("available"), agent("on_call"), agent("paused"), agent("wrap_up"), agent("logged_out")] }, clock);
    expect(overview.today).toEqual({ answered: 2, missed: 3 });
    expect(overview.last_hour).toEqual({ answered: 1, missed: 2 });
    expect(overview.by_hour).toHaveLength(12); // 00:00 … 11:00 local
    expect(overview.by_hour[0]).toEqual({ start: "2026-11-23T23:00:00.000Z", answered: 1, missed: 0 });
    expect(overview.by_hour[10]).toEqual({ start: "2026-11-24T09:00:00.000Z", answered: 0, missed: 2 });
    expect(overview.by_hour[11]).toEqual({ start: "2026-11-24T10:00:00.000Z", answered: 1, missed: 1 });
    expect(overview.by_hour.slice(1, 10).every((h) => h.answered === 0 && h.missed === 0)).toBe(true);
    expect(overview.agents).toEqual({ available: 2, on_call: 1, paused: 1, wrap_up: 1 });
    expect(overview.newest_calls.map((c) => c.cdr_id)).toEqual(["recent-answered", "recent-voicemail", "recent-missed", "ten-oclock", "after-midnight", "yesterday"]);

    // The same instant is still 10:30 in UTC: midnight there was 10.5 hours ago, and 23:30 UTC was yesterday.
    const utc = await activityOverview(db, admin, { timeZone: "UTC", agents: [] }, clock);
    expect(utc.by_hour).toHaveLength(11);
    expect(utc.today).toEqual({ answered: 1, missed: 3 });
  });

  it("keeps the last hour across midnight, while today starts empty", async () => {
    const clock = new ManualClock("2026-11-23T23:20:00.000Z"); // 00:20 in Budapest
    await storeCdrs(db, cdr("before-midnight", "2026-11-23T22:40:00.000Z", { disposition: "answered" }), cdr("after-midnight", "2026-11-23T23:10:00.000Z"));
    const overview = await activityOverview(db, admin, { timeZone: zone, agents: [] }, clock);
    expect(overview.last_hour).toEqual({ answered: 1, missed: 1 });
    expect(overview.today).toEqual({ answered: 0, missed: 1 });
    expect(overview.by_hour).toEqual([{ start: "2026-11-23T23:00:00.000Z", answered: 0, missed: 1 }]);
  });

  it("counts for a user only the calls of their own extensions, as the call history shows them", async () => {
    const clock = new ManualClock("2026-11-24T10:30:00.000Z");
    await storeCdrs(
      db,
      cdr("mine", "2026-11-24T10:00:00.000Z", { requested: { extension: "102" }, disposition: "answered" }),
      cdr("theirs", "2026-11-24T10:05:00.000Z", { requested: { extension: "103" } }),
    );
    const peter = (await db.select().from(users).where(eq(users.email, "peter.nagy@demo.example")).limit(1))[0]!;
    const overview = await activityOverview(db, { kind: "user", role: "user", userId: peter.id }, { timeZone: zone, agents: [] }, clock);
    expect(overview.today).toEqual({ answered: 1, missed: 0 });
    expect(overview.newest_calls.map((c) => c.cdr_id)).toEqual(["mine"]);
    const nobody = await activityOverview(db, { kind: "user", role: "user", userId: "usr_without_extension" }, { timeZone: zone, agents: [] }, clock);
    expect(nobody.today).toEqual({ answered: 0, missed: 0 });
    expect(nobody.newest_calls).toEqual([]);
  });

  it("refuses a time zone Intl does not know, naming the field", async () => {
    const error = await (async () => {
      try {
        await activityOverview(db, admin, { timeZone: "Mars/Olympus", agents: [] });
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(ServiceError);
    expect((error as ServiceError).options.field).toBe("timeZone");
  });
});

describe("CRM hooks", () => {
  let h: Harness;
  let receiver: TestReceiver;
  beforeEach(async () => {
    h = await createHarness();
    receiver = new TestReceiver();
    await receiver.listen();
  });
  afterEach(async () => {
    installIntegrationForTests(undefined);
    await receiver.close();
    await h.cleanup();
  });

  /** Queues one message to the hook through the outbox and waits until it is committed (PostgreSQL's record writer queues it). */
  const send = async (id: string) => {
    h.integration.outbox.enqueue(sampleEvent("end_of_call"), [h.integration.catalog.get(id)!]);
    await h.durable();
  };

  it("shows each hook's last success, failures and waiting messages, and flags the failing one", async () => {
    const healthy = (await h.createApi({ kind: "end_of_call", name: "A healthy CRM", url: receiver.url("/ok") })).id;
    const closed = new TestReceiver();
    await closed.listen();
    const closedUrl = closed.url("/down");
    await closed.close(); // nothing listens on this port any more
    const failing = (await h.createApi({ kind: "end_of_call", name: "B closed port", url: closedUrl, retry: { count: 3, intervals_s: [60] } })).id;

    await send(healthy);
    await h.integration.worker.runOnce();
    const firstSuccess = h.clock.now();
    h.clock.advance(60_000);
    await send(failing);
    await send(failing);
    await h.integration.worker.runOnce();

    const [a, b] = await hookOverview(h.db, h.clock);
    expect(a).toMatchObject({ outbound_api_id: healthy, alert: null, state: "ok", failures_24h: 0, queued: 0, breaker: null });
    expect(Date.parse(a.last_success_at!)).toBeGreaterThanOrEqual(firstSuccess);
    expect(b).toMatchObject({ outbound_api_id: failing, alert: "failing", last_success_at: null, failures_24h: 2, queued: 2, retrying: 2, last_error_class: "connection_refused" });
    expect(b.failing_since).toBe(new Date(firstSuccess + 60_000).toISOString());

    // A day later the failures have aged out of the 24-hour count, but the messages still wait.
    h.clock.advance(86_400_000 + 1_000);
    expect((await hookOverview(h.db, h.clock))[1]).toMatchObject({ failures_24h: 0, queued: 2, alert: "failing" });
  });

  it("flags a hook the CRM paused with 410, and shows one an admin switched off as off", async () => {
    const gone = (await h.createApi({ kind: "end_of_call", name: "Gone", url: receiver.url("/gone") })).id;
    const switchedOff = (await h.createApi({ kind: "end_of_call", name: "Switched off", url: receiver.url("/off"), enabled: false })).id;
    receiver.respond = () => ({ status: 410 });
    await send(gone);
    await h.integration.worker.runOnce();

    const hooks = new Map((await hookOverview(h.db, h.clock)).map((hook) => [hook.outbound_api_id, hook]));
    expect(hooks.get(gone)).toMatchObject({ enabled: false, disabled_reason: "gone", alert: "paused" });
    // Switched off by an admin: shown as off, not as a problem.
    expect(hooks.get(switchedOff)).toMatchObject({ enabled: false, state: "disabled", alert: null });
  });

  // SQLite: one process, the overview reads its own integration's breaker. On PostgreSQL it reads what the runtimes
  // publish with their heartbeat instead (overviewBreakers.test.ts).
  it.skipIf(onPostgres)("flags a look-up whose breaker in the runtime's integration is open", async () => {
    const lookup = (await h.createApi({ kind: "data_lookup", name: "Look-up", url: receiver.url("/lookup") })).id;
    // Read through getIntegration() (globalThis), as the tRPC bundle does.
    installIntegrationForTests(h.integration);
    const byId = async () => new Map((await hookOverview(h.db, h.clock)).map((hook) => [hook.outbound_api_id, hook]));
    expect((await byId()).get(lookup)).toMatchObject({ breaker: "closed", alert: null });
    for (let i = 0; i < 5; i++) h.integration.lookups.breakerOf(lookup).failure();
    expect((await byId()).get(lookup)).toMatchObject({ breaker: "open", alert: "breaker_open" });

    h.clock.advance(30_000); // the breaker lets one trial through: no longer open
    expect((await byId()).get(lookup)).toMatchObject({ breaker: "half_open", alert: null });
  });
});
