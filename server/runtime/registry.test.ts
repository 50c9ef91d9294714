import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ManualClock } from "@/flows/runtime/testing/manualClock";
import { createTestPostgres, testDatabaseUrl } from "@/tests/helpers/postgres";
import { silentLogger } from "../integration/testing/harness";
import { seedDemo } from "../services/demo";
import type { Db } from "../db/client";
import type { PostgresConnection } from "../db/postgres";
import { Runtime } from "./runtime";
import { postgresRuntimeStore, type PostgresRuntimeStore } from "./runtimeStore";
import { HEARTBEAT_MS, HeartbeatWatch, liveRuntimes, RuntimeRegistry, STALE_AFTER_MS } from "./registry";

if (!testDatabaseUrl) console.warn('Runtime takeover is not tested: TEST_DATABASE_URL is unset (eval "$(scripts/pg-cluster.sh start)")');

type Row = Record<string, unknown>;

describe.skipIf(!testDatabaseUrl)("runtimes on one PostgreSQL database: registry, heartbeat and takeover", () => {
  let pg: PostgresConnection & { drop: () => Promise<void> };
  let recordingsDir: string;
  const stores: PostgresRuntimeStore[] = [];
  const registries: RuntimeRegistry[] = [];

  beforeEach(async () => {
    pg = await createTestPostgres(testDatabaseUrl!);
    await seedDemo(pg.db as unknown as Db);
    recordingsDir = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-registry-"));
  });

  afterEach(async () => {
    for (const registry of registries.splice(0)) registry.stop();
    for (const store of stores.splice(0)) {
      store.writer.stop();
      store.directory.close();
      await store.versions.close();
    }
    await pg.drop();
    fs.rmSync(recordingsDir, { recursive: true, force: true });
  });

  /** A runtime process of its own: its own store, clock and internal URL. */
  async function runtimeProcess(name: string, onFenced = () => {}, { holdsCall = false, clockSkewMs = 0 } = {}) {
    const data = await postgresRuntimeStore(pg.db);
    stores.push(data);
    const clock = new ManualClock(Date.parse("2026-11-24T09:00:00Z") + clockSkewMs);
    const runtime = new Runtime({ data, recordingsDir, logger: silentLogger, clock });
    const registry = await RuntimeRegistry.register({
      db: pg.db as unknown as Db,
      runtime,
      internalUrl: `http://127.0.0.1:1/${name}`,
      roles: "runtime",
      logger: silentLogger,
      onFenced,
    });
    registries.push(registry);
    // The test beats by hand (beat()), so each step is awaited; the timer would beat in between.
    registry.stop();
    return { runtime, registry, clock, data, holdsCall };
  }
  type RuntimeProcess = Awaited<ReturnType<typeof runtimeProcess>>;

  const rows = async (sql: string, params: unknown[] = []): Promise<Row[]> => (await pg.db.$client.query(sql, params)).rows as Row[];

  /**
   * Every runtime in `beating` beats `times` times, one after the other in each round, each observer's clock a heartbeat
   * further each round (a crashed one is left out). The clock of the runtime that holds the test's call stays (its
   * beats need no time, and its call would otherwise ring out).
   */
  async function beatTogether(beating: RuntimeProcess[], times: number) {
    for (let i = 0; i < times; i++) {
      for (const process of beating) if (!process.holdsCall) process.clock.advance(HEARTBEAT_MS);
      for (const process of beating) await process.registry.beat();
    }
  }

  it("a runtime whose heartbeat stops gets its calls closed once, by exactly one of the others, and is fenced if it comes back", async () => {
    let fenced = 0;
    const a = await runtimeProcess("a", () => fenced++, { holdsCall: true });
    const b = await runtimeProcess("b");
    const c = await runtimeProcess("c");
    // A call that rings on a's simulated phone; 101 never answers on its own.
    a.runtime.pbx.setPhoneBehavior("101", { behavior: "no_answer" });
    const { callId } = a.runtime.pbx.placeInboundCall({ from: "103", to: "101" });
    await a.clock.advanceAsync(500);
    await a.data.writer.durable();
    expect(await rows("select runtime_id from open_calls where call_id = $1", [callId])).toEqual([{ runtime_id: a.runtime.instanceId }]);

    // While a beats, nobody touches its call, however long.
    await beatTogether([a, b, c], 3 * (STALE_AFTER_MS / HEARTBEAT_MS));
    expect(await rows("select count(*)::int as n from open_calls")).toEqual([{ n: 1 }]);

    // a goes silent (a crash: no more beats). Not yet after the stale period on b's and c's clocks…
    await beatTogether([b, c], STALE_AFTER_MS / HEARTBEAT_MS);
    expect(await rows("select runtime_id from open_calls where call_id = $1", [callId])).toEqual([{ runtime_id: a.runtime.instanceId }]);
    // …then, past it, b and c both notice at the same moment — one claim wins.
    b.clock.advance(HEARTBEAT_MS);
    c.clock.advance(HEARTBEAT_MS);
    await Promise.all([b.registry.beat(), c.registry.beat()]);
    const finals = await rows("select document from cdrs where call_id = $1 and is_final", [callId]);
    expect(finals).toHaveLength(1);
    expect(JSON.parse(finals[0].document as string)).toMatchObject({ disposition: "failed", hangup_cause: "system_restart" });
    expect(await rows("select count(*)::int as n from open_calls")).toEqual([{ n: 0 }]);
    const instances = (await rows("select id from runtime_instances order by id")).map((row) => row.id);
    expect(instances.sort()).toEqual([b.runtime.instanceId, c.runtime.instanceId].sort());

    // More rounds change nothing: the claim is not repeated.
    await beatTogether([b, c], 2);
    expect(await rows("select count(*)::int as n from cdrs where call_id = $1 and is_final", [callId])).toEqual([{ n: 1 }]);

    // a was only frozen, not dead: its next beat finds its row gone and it stops instead of recording the call twice.
    await a.registry.beat();
    expect(fenced).toBe(1);
  });

  // The machines' clocks need not agree: staleness is timed by the observer on its own clock (HeartbeatWatch).
  // Both cases fail when the heartbeat's time, written on one clock, is compared with another's.
  for (const [skew, label] of [
    [-60_000, "60 s behind"],
    [60_000, "60 s ahead"],
  ] as const) {
    it(`a runtime whose clock is ${label} is neither declared dead while it beats nor kept alive once it stops`, async () => {
      let fenced = 0;
      const skewed = await runtimeProcess("skewed", () => fenced++, { holdsCall: true, clockSkewMs: skew });
      const observer = await runtimeProcess("observer");
      const forwarding = new HeartbeatWatch();
      const forwardingClock = new ManualClock(Date.parse("2026-11-24T09:00:00Z"));
      const forwardable = async () => (await liveRuntimes(pg.db as unknown as Db, forwardingClock.now(), forwarding)).map((runtime) => runtime.id);
      skewed.runtime.pbx.setPhoneBehavior("101", { behavior: "no_answer" });
      const { callId } = skewed.runtime.pbx.placeInboundCall({ from: "103", to: "101" });
      await skewed.clock.advanceAsync(500);
      await skewed.data.writer.durable();

      for (let i = 0; i < 3 * (STALE_AFTER_MS / HEARTBEAT_MS); i++) {
        await beatTogether([skewed, observer], 1);
        forwardingClock.advance(HEARTBEAT_MS);
        expect(await forwardable()).toContain(skewed.runtime.instanceId);
      }
      expect(fenced).toBe(0);
      expect(await rows("select runtime_id from open_calls where call_id = $1", [callId])).toEqual([{ runtime_id: skewed.runtime.instanceId }]);

      // It stops: forwarding skips it and the observer takes its call over once the stale period has passed on their clocks.
      await beatTogether([observer], STALE_AFTER_MS / HEARTBEAT_MS);
      forwardingClock.advance(STALE_AFTER_MS + 1);
      expect(await forwardable()).not.toContain(skewed.runtime.instanceId);
      await beatTogether([observer], 1);
      expect(await rows("select count(*)::int as n from cdrs where call_id = $1 and is_final", [callId])).toEqual([{ n: 1 }]);
      expect((await rows("select id from runtime_instances")).map((row) => row.id)).toEqual([observer.runtime.instanceId]);
    });
  }

  it("an observer that was itself paused gives the others a full period to beat again before declaring them dead", async () => {
    let fenced = 0;
    const a = await runtimeProcess("a", () => fenced++);
    const b = await runtimeProcess("b");
    await beatTogether([a, b], 2);
    // The whole machine was suspended: both clocks jump; b looks before a has beaten again.
    a.clock.advance(STALE_AFTER_MS * 3);
    b.clock.advance(STALE_AFTER_MS * 3);
    await b.registry.beat();
    await a.registry.beat();
    await beatTogether([a, b], 2);
    expect(fenced).toBe(0);
    expect(await rows("select count(*)::int as n from runtime_instances")).toEqual([{ n: 2 }]);
  });

  it("a runtime restarted at the same address closes its previous run's calls at start, without waiting for the heartbeat to lapse", async () => {
    const first = await runtimeProcess("same");
    const other = await runtimeProcess("other");
    first.runtime.pbx.setPhoneBehavior("101", { behavior: "no_answer" });
    other.runtime.pbx.setPhoneBehavior("102", { behavior: "no_answer" });
    const { callId } = first.runtime.pbx.placeInboundCall({ from: "103", to: "101" });
    const { callId: othersCall } = other.runtime.pbx.placeInboundCall({ from: "104", to: "102" });
    await Promise.all([first.clock.advanceAsync(500), other.clock.advanceAsync(500)]);
    await Promise.all([first.data.writer.durable(), other.data.writer.durable()]);

    const restarted = await runtimeProcess("same");
    expect(await restarted.registry.recoverInterruptedCalls()).toBe(1);
    expect(await rows("select call_id from cdrs where is_final")).toEqual([{ call_id: callId }]);
    // The other runtime is alive: its call is still open, and still its own.
    expect(await rows("select call_id, runtime_id from open_calls")).toEqual([{ call_id: othersCall, runtime_id: other.runtime.instanceId }]);
    await restarted.registry.beat();
    expect((await rows("select id from runtime_instances")).map((r) => r.id).sort()).toEqual([other.runtime.instanceId, restarted.runtime.instanceId].sort());
  });
});

describe("HeartbeatWatch: staleness timed on the observer's clock", () => {
  const row = (id: string, heartbeatCount: number) => ({ id, heartbeatCount });
  const ids = (rows: Array<{ id: string }>) => rows.map((r) => r.id);

  it("declares a runtime stale only after its counter stood still for more than the period since this observer first saw it", () => {
    const watch = new HeartbeatWatch(10_000);
    expect(ids(watch.stale([row("a", 7)], 1_000_000))).toEqual([]); // first sight: alive, whatever its count
    expect(ids(watch.stale([row("a", 7)], 1_010_000))).toEqual([]); // exactly the period: not yet
    expect(ids(watch.stale([row("a", 7)], 1_010_001))).toEqual(["a"]);
    expect(ids(watch.stale([row("a", 8)], 1_010_002))).toEqual([]); // it beat: timing starts again
    expect(ids(watch.stale([row("a", 8)], 1_020_002))).toEqual([]);
    expect(ids(watch.stale([row("a", 8)], 1_020_003))).toEqual(["a"]);
  });

  it("forgets a runtime whose row went, and restarts every timing after a pause of its own", () => {
    const watch = new HeartbeatWatch(10_000, 5_000);
    watch.stale([row("a", 1), row("b", 1)], 0);
    for (let now = 2_000; now <= 10_000; now += 2_000) watch.stale([row("a", 1)], now); // b's row is gone
    expect(ids(watch.stale([row("a", 1), row("b", 1)], 12_000))).toEqual(["a"]); // b is new again
    // The observer was away 30 s: nobody is stale at its first look back, only a full period later.
    expect(ids(watch.stale([row("a", 1), row("b", 1)], 42_000))).toEqual([]);
    expect(ids(watch.stale([row("a", 1), row("b", 1)], 46_000))).toEqual([]);
    expect(ids(watch.stale([row("a", 1), row("b", 1)], 50_000))).toEqual([]);
    expect(ids(watch.stale([row("a", 1), row("b", 1)], 52_001))).toEqual(["a", "b"]);
  });
});
