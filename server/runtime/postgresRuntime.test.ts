import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { eq } from "drizzle-orm";
import { flushPromises } from "@/flows/runtime/testing/manualClock";
import { createTestPostgres, testDatabaseUrl } from "@/tests/helpers/postgres";
import { copySqliteToPostgres } from "@/tests/helpers/pgCopy";
import { createHarness, silentLogger, type Harness } from "../integration/testing/harness";
import { attachToRuntime } from "../integration";
import { Outbox } from "../integration/outbox";
import { seedDemo } from "../services/demo";
import { VersionedCache } from "../db/configVersions";
import { pgTables } from "../db/schema/pg";
import type { PostgresConnection } from "../db/postgres";
import type { Cdr } from "../pbx/cdr";
import { CallStore } from "./callStore";
import { Runtime } from "./runtime";
import { postgresRuntimeStore, type PostgresRuntimeStore } from "./runtimeStore";

if (!testDatabaseUrl) console.warn('The runtime on PostgreSQL is not tested: TEST_DATABASE_URL is unset (eval "$(scripts/pg-cluster.sh start)")');

type Row = Record<string, unknown>;

describe.skipIf(!testDatabaseUrl)("the runtime on PostgreSQL", () => {
  let h: Harness;
  let pg: PostgresConnection & { drop: () => Promise<void> };
  let recordingsDir: string;
  const stores: PostgresRuntimeStore[] = [];
  const apis: Record<string, string> = {};

  beforeEach(async () => {
    // A Tuesday at 10:00 in Budapest: the demo reception flow is open.
    h = await createHarness({ start: "2026-11-24T09:00:00Z", backend: "sqlite" }); // the SQLite twin the PostgreSQL store is compared with
    await seedDemo(h.db);
    apis.cdrs = (await h.createApi({ kind: "end_of_call", name: "CDRs", url: "http://127.0.0.1:9/cdr", apply_to: "all_calls", send_partials: true })).id;
    apis.chosen = (await h.createApi({ kind: "end_of_call", name: "Chosen by a flow", url: "http://127.0.0.1:9/chosen", apply_to: "flow_nodes" })).id;
    apis.ringing = (await h.createApi({ kind: "incoming_notification", name: "Pop-up", url: "http://127.0.0.1:9/pop", apply_to: "all_calls", trigger: "ringing" })).id;
    apis.hooks = (await h.createApi({ kind: "event_hook", name: "Hooks", url: "http://127.0.0.1:9/hooks", events: ["agent.state_changed", "call.answered"] })).id;
    pg = await createTestPostgres(testDatabaseUrl!);
    await copySqliteToPostgres(h.db, pg.db);
    recordingsDir = path.join(h.dir, "recordings");
    fs.mkdirSync(recordingsDir, { recursive: true });
  });

  afterEach(async () => {
    for (const store of stores.splice(0)) {
      store.writer.stop();
      store.directory.close();
      await store.versions.close();
    }
    await pg.drop();
    await h.cleanup();
  });

  /** A runtime on the PostgreSQL store, its CRM outbox writing into PostgreSQL too (the catalogue is read from the SQLite twin). */
  async function pgRuntime(): Promise<{ runtime: Runtime; data: PostgresRuntimeStore; outbox: Outbox }> {
    const data = await postgresRuntimeStore(pg.db);
    stores.push(data);
    const runtime = new Runtime({ data, recordingsDir, logger: silentLogger, clock: h.clock });
    const outbox = new Outbox(pg.db, h.integration.catalog, h.clock);
    attachToRuntime({ ...h.integration, outbox }, runtime);
    return { runtime, data, outbox };
  }

  /** The published flow is read from PostgreSQL (real I/O the manual clock does not wait for): wait until it runs, then let it reach its menu. */
  async function untilMenu(runtime: Runtime, callId: string): Promise<void> {
    await vi.waitFor(() => expect(runtime.live.get(callId)).toBeDefined(), { timeout: 5_000 });
    await h.clock.advanceAsync(2_000);
    expect(runtime.live.get(callId)?.currentNodeId).toBe("menu");
  }

  const pgRows = async (sql: string): Promise<Row[]> => (await pg.db.$client.query(sql)).rows as Row[];
  const sqliteRows = (sql: string): Row[] => h.db.$client.prepare(sql).all() as Row[];

  it("writes the same rows as the SQLite store for the same events, in the same order, outbox rows included", async () => {
    const { runtime, data } = await pgRuntime();
    // The SQLite store and outbox receive the very same events (subscribers run right after the PostgreSQL sink).
    const sqliteStore = new CallStore(h.db);
    sqliteStore.onConversationEnded.push(h.integration.outbox.conversationEnded);
    sqliteStore.onEvent.push(h.integration.outbox.eventRecorded);
    runtime.pbx.subscribe(sqliteStore.handle);

    const agentId = runtime.directory.agents()[0].agentId;
    runtime.pbx.agentLogin(agentId);
    const { callId } = runtime.pbx.placeInboundCall({ from: "+36301112233", to: "+3612345678" });
    await untilMenu(runtime, callId);
    runtime.pbx.sendDtmf(callId, "1");
    await h.clock.advanceAsync(500);
    runtime.pbx.answerPhone("101");
    await h.clock.advanceAsync(30_000);
    runtime.pbx.hangupCall(callId);
    runtime.pbx.placeInboundCall({ from: "+36209876543", to: "+3619999999" });
    await flushPromises();
    await data.writer.durable();

    const cdrColumns = `cdr_id, conversation_id, call_id, sequence, is_final, direction, disposition, caller_number, called_number, started_at, ended_at, document`;
    const pgCdrs = await pgRows(`select ${cdrColumns} from cdrs order by ctid`);
    const sqliteCdrs = sqliteRows(`select ${cdrColumns} from cdrs order by rowid`);
    expect(pgCdrs.map((r) => JSON.parse(r.document as string) as Cdr).filter((c) => c.is_final)).toHaveLength(2);
    expect(pgCdrs.map((r) => ({ ...r, sequence: Number(r.sequence), is_final: r.is_final ? 1 : 0 }))).toEqual(sqliteCdrs);
    expect(await pgRows(`select cdr_id, extension from cdr_extensions order by ctid`)).toEqual(sqliteRows(`select cdr_id, extension from cdr_extensions order by rowid`));
    const recordingColumns = `code, conversation_id, kind, mailbox_extension, format, duration_s, sha256, created_at`;
    expect(await pgRows(`select ${recordingColumns} from recordings order by ctid`)).toEqual(sqliteRows(`select ${recordingColumns} from recordings order by rowid`));
    expect(await pgRows(`select * from open_calls`)).toEqual([]);
    expect(sqliteRows(`select * from open_calls`)).toEqual([]);
    const agentColumns = `agent_id, status, pause_reason, at`;
    expect(await pgRows(`select ${agentColumns} from agent_state_history order by id`)).toEqual(sqliteRows(`select ${agentColumns} from agent_state_history order by id`));

    // The outbox: message ids are random, everything else — type, payload, order, each message's deliveries — is equal.
    const messagesOf = (rows: Row[]) => rows.map(({ id: _id, created_at, ...rest }) => ({ ...rest, created_at: Number(created_at) }));
    const messageColumns = `id, event_type, conversation_id, payload, created_at`;
    const pgMessages = await pgRows(`select ${messageColumns} from integration_messages order by ctid`);
    const sqliteMessages = sqliteRows(`select ${messageColumns} from integration_messages order by rowid`);
    expect(pgMessages.map((m) => m.event_type)).toEqual(expect.arrayContaining(["call.incoming", "agent.state_changed", "call.answered", "call.ended"]));
    expect(messagesOf(pgMessages)).toEqual(messagesOf(sqliteMessages));
    const deliveriesBy = (messages: Row[], deliveries: Row[]) =>
      deliveries.map((d) => ({
        message: messages.findIndex((m) => m.id === d.message_id),
        api: d.outbound_api_id,
        status: d.status,
        next: Number(d.next_attempt_at),
        expires: d.expires_at === null ? null : Number(d.expires_at),
      }));
    const deliveryColumns = `message_id, outbound_api_id, status, next_attempt_at, expires_at`;
    expect(deliveriesBy(pgMessages, await pgRows(`select ${deliveryColumns} from deliveries order by ctid`))).toEqual(
      deliveriesBy(sqliteMessages, sqliteRows(`select ${deliveryColumns} from deliveries order by rowid`)),
    );
    // The trace is written by the flow runner (not an event), on PostgreSQL only here.
    expect((await pgRows(`select call_id from call_traces`)).map((r) => r.call_id)).toEqual([callId]);
  });

  it("commits each event's writes in order: a PostgreSQL reader never sees a final CDR without its outbox rows and open-call removal", async () => {
    const { runtime, data } = await pgRuntime();
    const { callId } = runtime.pbx.placeInboundCall({ from: "+36301112233", to: "+3612345678" });
    await h.clock.advanceAsync(2_000);
    // Nothing is written synchronously: the PBX went on while the call's start waits in the queue.
    expect(data.writer.pending).toBeGreaterThan(0);
    await data.writer.durable();
    expect((await pgRows(`select call_id from open_calls`)).map((r) => r.call_id)).toEqual([callId]);
    runtime.pbx.hangupCall(callId);
    await flushPromises();
    await data.writer.durable();
    const [final] = await pgRows(`select conversation_id from cdrs where call_id = '${callId}' and is_final`);
    expect(await pgRows(`select * from open_calls`)).toEqual([]);
    const ended = await pgRows(`select id from integration_messages where event_type = 'call.ended' and conversation_id = '${String(final.conversation_id)}'`);
    expect(ended).toHaveLength(1);
  });

  it("a crash leaves the open calls that the next start closes with system_restart CDRs exactly once — the CDR reaches the APIs a flow chose", async () => {
    const crashed = await pgRuntime();
    const agentId = crashed.runtime.directory.agents()[0].agentId;
    crashed.runtime.pbx.agentLogin(agentId);
    const { callId } = crashed.runtime.pbx.placeInboundCall({ from: "+36209876543", to: "+3612345678" });
    await h.clock.advanceAsync(2_000);
    const conversationId = crashed.runtime.pbx.getCall(callId)!.conversation_id;
    crashed.outbox.markCallData({ id: apis.chosen } as never, conversationId, "send");
    await crashed.data.writer.durable();
    // Queued after the last flush: a crash loses these (at most one flush interval), the call is never known.
    const lost = crashed.runtime.pbx.placeInboundCall({ from: "+36201110000", to: "+3612345678" });
    expect(crashed.data.writer.pending).toBeGreaterThan(0);
    crashed.data.writer.stop(); // The process dies: no shutdown, no final CDR.

    const restarted = await pgRuntime();
    expect(await restarted.runtime.recoverInterruptedCalls()).toBe(1);
    const finals = await pgRows(`select document from cdrs where is_final`);
    expect(finals.map((r) => JSON.parse(r.document as string) as Cdr)).toEqual([
      expect.objectContaining({ call_id: callId, disposition: "failed", hangup_cause: "system_restart", is_final: true }),
    ]);
    expect(await pgRows(`select * from open_calls`)).toEqual([]);
    expect(await pgRows(`select * from call_data_requests`)).toEqual([]);
    const [message] = await pgRows(`select id from integration_messages where event_type = 'call.ended' and conversation_id = '${conversationId}'`);
    const targets = (await pgRows(`select outbound_api_id from deliveries where message_id = '${String(message.id)}'`)).map((r) => r.outbound_api_id);
    expect(targets.sort()).toEqual([apis.cdrs, apis.chosen].sort());
    const history = await pgRows(`select status from agent_state_history where agent_id = '${agentId}' order by id`);
    expect(history.map((r) => r.status)).toEqual(["available", "logged_out"]);
    expect(await pgRows(`select call_id from cdrs where call_id = '${lost.callId}'`)).toEqual([]);

    const again = await pgRuntime();
    expect(await again.runtime.recoverInterruptedCalls()).toBe(0);
    expect(await pgRows(`select cdr_id from cdrs where is_final`)).toHaveLength(1);
  });

  it("sees a directory change (new extension, forwarding, DID → flow) on the next call after the NOTIFY", async () => {
    const { runtime, data } = await pgRuntime();
    const newDid = "+3612345000";
    const before = runtime.pbx.placeInboundCall({ from: "+36301112233", to: newDid });
    await flushPromises();
    expect(runtime.pbx.getCall(before.callId)?.flow_id).toBeNull();
    expect(runtime.directory.extension("150")).toBeNull();

    const [reception] = await pg.db.select().from(pgTables.phoneNumbers).where(eq(pgTables.phoneNumbers.number, "+3612345678"));
    await pg.db.insert(pgTables.phoneNumbers).values({ id: "num_new", number: newDid, label: "New", flowId: reception.flowId });
    await pg.db.insert(pgTables.extensions).values({ id: "ext_150", number: "150", name: "New desk", ownerUserId: null, enabled: true });
    const [ext101] = await pg.db.select().from(pgTables.extensions).where(eq(pgTables.extensions.number, "101"));
    await pg.db
      .insert(pgTables.forwardingRules)
      .values({ extensionId: ext101.id, kind: "unconditional", enabled: true, destinationType: "external", destinationNumber: "+36705550000" })
      .onConflictDoUpdate({
        target: [pgTables.forwardingRules.extensionId, pgTables.forwardingRules.kind],
        set: { enabled: true, destinationType: "external", destinationNumber: "+36705550000" },
      });

    await vi.waitFor(() => expect(runtime.directory.extension("150")).not.toBeNull(), { timeout: 5_000 });
    await data.directory.settled();
    expect(runtime.directory.extension("101")?.forwarding.unconditional).toEqual({ enabled: true, destination: { type: "external", number: "+36705550000" } });
    expect(runtime.directory.extensionNumbers()).toContain("150");
    const after = runtime.pbx.placeInboundCall({ from: "+36301112233", to: newDid });
    await untilMenu(runtime, after.callId);
    runtime.pbx.hangupCall(after.callId);
    await flushPromises();
    await data.writer.durable();
    const finals = (await pgRows(`select document from cdrs where is_final order by ctid`)).map((r) => JSON.parse(r.document as string) as Cdr);
    expect(finals.map((c) => c.hangup_cause)).toEqual(["unallocated_number", expect.not.stringMatching("unallocated_number")]);
  });

  it("drops only a unit PostgreSQL refuses for its data; the units around it commit, in order", async () => {
    const data = await postgresRuntimeStore(pg.db);
    stores.push(data);
    const message = (id: string) => data.writer.write("message", [id, "test.event", null, "{}", 1]);
    data.writer.atomically(() => message("msg_a"));
    // The same id twice in one unit: a primary-key violation, the whole unit goes.
    data.writer.atomically(() => {
      message("msg_b");
      message("msg_b");
    });
    data.writer.atomically(() => message("msg_c"));
    await data.writer.durable();
    expect((await pgRows(`select id from integration_messages order by ctid`)).map((r) => r.id)).toEqual(["msg_a", "msg_c"]);
    expect(data.writer.pending).toBe(0);
  });

  it("keeps the config_versions counters in memory from LISTEN: a VersionedCache rebuilds after a change without reading per use", async () => {
    const data = await postgresRuntimeStore(pg.db);
    stores.push(data);
    let builds = 0;
    const cache = new VersionedCache(data.versions, "outbound_apis", () => ++builds);
    const querySpy = vi.spyOn(pg.db.$client, "query");
    expect([cache.get(), cache.get(), cache.get()]).toEqual([1, 1, 1]);
    expect(querySpy).not.toHaveBeenCalled();
    querySpy.mockRestore();
    const moved = data.versions.version("outbound_apis");
    await pg.db.update(pgTables.outboundApis).set({ name: "Renamed" }).where(eq(pgTables.outboundApis.id, apis.cdrs));
    await vi.waitFor(() => expect(data.versions.version("outbound_apis")).toBeGreaterThan(moved), { timeout: 5_000 });
    expect(cache.get()).toBe(2);
  });
});
