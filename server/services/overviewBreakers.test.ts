import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { testDatabaseUrl } from "@/tests/helpers/postgres";
import type { PgDb } from "../db/postgres";
import { createHarness, silentLogger, type Harness } from "../integration/testing/harness";
import { installIntegrationForTests } from "../integration";
import { RuntimeRegistry } from "../runtime/registry";
import { Runtime } from "../runtime/runtime";
import { postgresRuntimeStore, type PostgresRuntimeStore } from "../runtime/runtimeStore";
import { hookOverview } from "./overview";

if (!testDatabaseUrl) console.warn('The overview\'s breakers across processes are not tested: TEST_DATABASE_URL is unset (eval "$(scripts/pg-cluster.sh start)")');

// On SQLite one process runs everything and the overview reads its own integration (overview.test.ts, "CRM hooks").
describe.skipIf(!testDatabaseUrl)("the overview in a process without a runtime (PostgreSQL)", () => {
  let h: Harness;
  let store: PostgresRuntimeStore;
  let registry: RuntimeRegistry;
  let recordingsDir: string;

  beforeEach(async () => {
    h = await createHarness({ backend: "postgres", start: "2026-11-24T09:00:00Z" });
    recordingsDir = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-breakers-"));
    store = await postgresRuntimeStore(h.db as unknown as PgDb);
    // The runtime process: its integration's look-ups publish their breakers with each heartbeat.
    const runtime = new Runtime({ data: store, recordingsDir, logger: silentLogger, clock: h.clock });
    registry = await RuntimeRegistry.register({
      db: h.db,
      runtime,
      internalUrl: "http://127.0.0.1:1/runtime",
      roles: "runtime",
      logger: silentLogger,
      onFenced: () => {},
      lookupBreakers: () => h.integration.lookups.unclosedBreakers(),
    });
    registry.stop();
    // This process is a `web` one: it has no integration of its own.
    installIntegrationForTests(undefined);
  });

  afterEach(async () => {
    registry.stop();
    store.writer.stop();
    store.directory.close();
    await store.versions.close();
    await h.cleanup();
    fs.rmSync(recordingsDir, { recursive: true, force: true });
  });

  it("shows the look-up breaker the runtime process holds: open, then half-open, then closed again", async () => {
    const lookup = (await h.createApi({ kind: "data_lookup", name: "Look-up", url: "http://127.0.0.1:1/lookup" })).id;
    const breakerShown = async () => (await hookOverview(h.db, h.clock)).find((hook) => hook.outbound_api_id === lookup);
    await registry.beat();
    expect(await breakerShown()).toMatchObject({ breaker: "closed", alert: null });

    const breaker = h.integration.lookups.breakerOf(lookup);
    for (let i = 0; i < 5; i++) breaker.failure();
    // Published with the runtime's next beat, not before: the web process has no breaker of its own to read.
    expect(await breakerShown()).toMatchObject({ breaker: "closed" });
    await registry.beat();
    expect(await breakerShown()).toMatchObject({ breaker: "open", alert: "breaker_open" });

    h.clock.advance(30_000); // the breaker lets one trial through
    await registry.beat();
    expect(await breakerShown()).toMatchObject({ breaker: "half_open", alert: null });

    breaker.success();
    await registry.beat();
    expect(await breakerShown()).toMatchObject({ breaker: "closed", alert: null });
  });
});
