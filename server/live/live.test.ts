import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { flushPromises } from "@/flows/runtime/testing/manualClock";
import { createTestPostgres, testDatabaseUrl } from "@/tests/helpers/postgres";
import { copySqliteToPostgres } from "@/tests/helpers/pgCopy";
import { createHarness, silentLogger, type Harness } from "../integration/testing/harness";
import type { Db } from "../db/client";
import { openPostgres, type PostgresConnection } from "../db/postgres";
import { seedDemo } from "../services/demo";
import { listLiveCalls } from "../services/callHistory";
import { Runtime } from "../runtime/runtime";
import { postgresRuntimeStore, type PostgresRuntimeStore } from "../runtime/runtimeStore";
import { PgLiveFeed, runtimeLiveFeed, type LiveTopic } from "./liveFeed";
import { liveAgentStates, liveCallRecords } from "./liveState";
import { runtimeLiveCalls } from "./liveCallViews";

const everyone = { kind: "api" } as const;

describe("live views in one process (SQLite)", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness({ start: "2026-11-24T09:00:00Z", backend: "sqlite" });
    await seedDemo(h.db);
  });
  afterEach(() => h.cleanup());

  it("the runtime's events reach the feed as topics, and the snapshots are the runtime's memory", async () => {
    const runtime = new Runtime({ db: h.db, recordingsDir: path.join(h.dir, "recordings"), logger: silentLogger, clock: h.clock });
    const topics: LiveTopic[] = [];
    runtimeLiveFeed(runtime).subscribe((topic) => topics.push(topic));
    const agent = runtime.directory.agents()[0];
    runtime.pbx.agentLogin(agent.agentId);
    expect(topics).toEqual(["agents"]);
    const { callId } = runtime.pbx.placeInboundCall({ from: "+36301112233", to: "+3612345678" });
    expect(topics).toContain("calls");
    const records = runtimeLiveCalls(runtime.pbx, runtime.live);
    expect(records.map((record) => record.call.call_id)).toEqual([callId]);
    expect((await listLiveCalls(h.db, records, everyone)).map((call) => call.call_id)).toEqual([callId]);
    runtime.shutdown();
  });

  it("a call's flow entering a node is a change of the calls topic, though no PBX event says so", async () => {
    const runtime = new Runtime({ db: h.db, recordingsDir: path.join(h.dir, "recordings"), logger: silentLogger, clock: h.clock });
    const { callId } = runtime.pbx.placeInboundCall({ from: "+36301112233", to: "+3612345678" });
    // What the live calls view would show at each notification.
    const nodesShown: Array<string | null | undefined> = [];
    runtimeLiveFeed(runtime).subscribe((topic) => {
      if (topic === "calls") nodesShown.push(runtime.live.get(callId)?.currentNodeId);
    });
    await h.clock.advanceAsync(2_000); // the demo reception flow runs to its menu
    const entered = runtime.live.get(callId)!.trace.map((step) => step.node_id);
    expect(entered.length).toBeGreaterThan(1);
    for (const node of entered) expect(nodesShown).toContain(node);
    runtime.shutdown();
  });
});

describe.skipIf(!testDatabaseUrl)("live views across processes on PostgreSQL (LISTEN/NOTIFY)", () => {
  let h: Harness;
  let pg: Awaited<ReturnType<typeof createTestPostgres>>;
  /** The `web` process: its own pool and feed, no runtime. */
  let web: PostgresConnection;
  let feed: PgLiveFeed;
  let data: PostgresRuntimeStore | null = null;
  let runtime: Runtime | null = null;

  beforeEach(async () => {
    // A Tuesday at 10:00 in Budapest: the demo reception flow is open.
    h = await createHarness({ start: "2026-11-24T09:00:00Z", backend: "sqlite" });
    await seedDemo(h.db);
    pg = await createTestPostgres(testDatabaseUrl!);
    await copySqliteToPostgres(h.db, pg.db);
    web = await openPostgres(pg.url);
    feed = await PgLiveFeed.start(web.db.$client, { reconnectMs: 20 });
  });

  afterEach(async () => {
    runtime?.shutdown();
    await data?.close();
    runtime = null;
    data = null;
    await feed.close();
    await web.close();
    await pg.drop();
    await h.cleanup();
  });

  /** The `runtime` process: the call runtime on its own pool (the test database's). */
  async function startRuntime(): Promise<Runtime> {
    data = await postgresRuntimeStore(pg.db);
    const recordingsDir = path.join(h.dir, "recordings");
    fs.mkdirSync(recordingsDir, { recursive: true });
    runtime = new Runtime({ data, recordingsDir, logger: silentLogger, clock: h.clock });
    return runtime;
  }

  function topicsHeard(): LiveTopic[] {
    const heard: LiveTopic[] = [];
    feed.subscribe((topic) => heard.push(topic));
    return heard;
  }

  const webDb = () => web.db as unknown as Db;

  it("an agent's state change made by the runtime process reaches the web process's feed, and the board it reads shows it", async () => {
    const run = await startRuntime();
    const heard = topicsHeard();
    const agent = run.directory.agents()[0];
    expect((await liveAgentStates(webDb())).find((state) => state.agent_id === agent.agentId)).toMatchObject({ status: "logged_out", since: null });

    run.pbx.agentLogin(agent.agentId);
    await data!.writer.durable();
    await vi.waitFor(() => expect(heard).toContain("agents"), { timeout: 5_000 });
    const states = await liveAgentStates(webDb());
    expect(states).toEqual(
      [...run.pbx.agentStates()].sort((a, b) => a.name.localeCompare(b.name)),
    );
    expect(states.find((state) => state.agent_id === agent.agentId)?.status).toBe("available");
  });

  it("live calls: the runtime publishes each call's view; the web process lists it with its flow step and hears it start and end", async () => {
    const run = await startRuntime();
    const heard = topicsHeard();
    const { callId } = run.pbx.placeInboundCall({ from: "+36301112233", to: "+3612345678" });
    await vi.waitFor(() => expect(run.live.get(callId)).toBeDefined(), { timeout: 5_000 });
    await h.clock.advanceAsync(2_000); // the flow reaches its menu; the publisher ticks meanwhile
    await data!.writer.durable();
    await vi.waitFor(() => expect(heard).toContain("calls"), { timeout: 5_000 });

    const listed = await listLiveCalls(webDb(), await liveCallRecords(webDb()), everyone);
    expect(listed).toEqual(await listLiveCalls(h.db, runtimeLiveCalls(run.pbx, run.live), everyone));
    expect(listed.map((call) => [call.call_id, call.current_node_id])).toEqual([[callId, "menu"]]);

    heard.length = 0;
    run.pbx.hangupCall(callId);
    await flushPromises();
    await data!.writer.durable();
    await vi.waitFor(() => expect(heard).toContain("calls"), { timeout: 5_000 });
    expect(await liveCallRecords(webDb())).toEqual([]);
  });

  it("a listener whose connection dropped hears every topic again once back, and reads the state changed meanwhile", async () => {
    const run = await startRuntime();
    await feed.close(); // one that stays away long enough for a change to be committed meanwhile
    feed = await PgLiveFeed.start(web.db.$client, { reconnectMs: 300 });
    const heard = topicsHeard();
    const agent = run.directory.agents()[0];
    feed.breakConnectionForTests();
    run.pbx.agentLogin(agent.agentId); // committed while the web process is not listening: its notification is lost to it
    await data!.writer.durable();
    await vi.waitFor(() => expect(new Set(heard)).toEqual(new Set(["agents", "calls"])), { timeout: 5_000 });
    expect((await liveAgentStates(webDb())).find((state) => state.agent_id === agent.agentId)?.status).toBe("available");

    heard.length = 0; // and the stream goes on after the reconnect
    run.pbx.agentPause(agent.agentId, "lunch");
    await data!.writer.durable();
    await vi.waitFor(() => expect(heard).toEqual(["agents"]), { timeout: 5_000 });
  });
});
