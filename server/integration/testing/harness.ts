import { ManualClock } from "@/flows/runtime/testing/manualClock";
import type { CallInfo, Clock } from "@/flows/runtime/ports";
import type { OutboundApiInput } from "@/lib/schemas/integration";
import { createTestDb, type TestDb } from "@/tests/helpers/db";
import { isPostgres, type Db } from "../../db/client";
import { createOutboundApi } from "../../services/outboundApis";
import { createIntegration, type Integration } from "../index";
import { parseNetworkPolicy } from "../networkPolicy";

/** Tests encrypt with this app secret instead of touching the data folder's. */
export function setTestAppSecret(): void {
  process.env.SWITCHBOARD_SECRET ??= "integration-tests-app-secret-0123456789";
}

export const silentLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** The call a look-up test asks about. */
export const sampleCall: CallInfo = {
  id: "call_1",
  conversationId: "conv_1",
  direction: "inbound",
  caller: { number: "+36301112233", numberRaw: "06301112233", name: null },
  calledNumber: "+3612345678",
  startedAt: new Date().toISOString(),
  flowId: "flw_1",
};

export interface Harness {
  db: Db;
  dir: string;
  /** What another process opens to reach the database: the SQLite file or the PostgreSQL URL. */
  location: string;
  clock: ManualClock;
  integration: Integration;
  createApi(input: OutboundApiInput): Promise<{ id: string; signingSecret: string }>;
  /** Every outbox write made so far is committed (PostgreSQL's record writer queues them; SQLite wrote them at once). */
  durable(): Promise<void>;
  /** The call runtime's store for this database (`new Runtime({ data })`); closed by `cleanup`. */
  runtimeStore: TestDb["runtimeStore"];
  cleanup(): Promise<void>;
}

/**
 * A migrated temp database, a manual clock that starts at the real time (so
 * Standard Webhooks' 5-minute timestamp tolerance accepts our signatures) or
 * at `start`, and an integration whose worker is driven by the test (`runOnce`).
 */
export async function createHarness(
  options: { policy?: string; concurrencyPerEndpoint?: number; leaseMs?: number; clock?: Clock; random?: () => number; start?: string; backend?: TestDb["backend"] } = {},
): Promise<Harness> {
  setTestAppSecret();
  const { db, dir, location, durable, runtimeStore, cleanup } = await createTestDb(options.backend);
  const clock = new ManualClock(options.start ?? Date.now());
  const integration = createIntegration({
    db,
    clock: options.clock ?? clock,
    logger: silentLogger,
    policy: parseNetworkPolicy(options.policy ?? "allow-lan"),
    concurrencyPerEndpoint: options.concurrencyPerEndpoint,
    leaseMs: options.leaseMs,
    // Retries at exactly their interval unless a test asks for jitter.
    random: options.random ?? (() => 1),
  });
  await integration.catalog.load();
  return {
    db,
    dir,
    location,
    clock,
    integration,
    async createApi(input) {
      const { outboundApi, signingSecret } = await createOutboundApi(db, input, options.clock ?? clock);
      // On PostgreSQL the catalogue learns of it from the notification, a few milliseconds after the commit.
      if (isPostgres(db)) await eventually(() => integration.catalog.get(outboundApi.id), "the catalogue to reload");
      return { id: outboundApi.id, signingSecret };
    },
    durable,
    runtimeStore,
    async cleanup() {
      await integration.stop();
      await integration.sender.close().catch(() => {});
      await cleanup();
    },
  };
}

type PoolWorkerOptions = { clock?: Clock; concurrencyPerEndpoint?: number; leaseCapPerEndpoint?: number; pollIntervalMs?: number; leaseMs?: number };

export interface PgHarness extends Omit<Harness, "runtimeStore" | "location"> {
  /** This test's own database (a fresh clone of the migrated template). */
  url: string;
  /** Another integration on the same database with a pool of its own: a second worker process stands in. */
  another(options?: PoolWorkerOptions): Promise<{ db: Db; integration: Integration; close(): Promise<void> }>;
}

/** Polls until `ready()` holds (a LISTEN notification arrived and the catalogue reloaded), for at most 5 s. */
export async function eventually<T>(ready: () => T | undefined | false, what: string): Promise<T> {
  const until = Date.now() + 5_000;
  for (;;) {
    const value = ready();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * The harness on PostgreSQL (`TEST_DATABASE_URL`, tests/helpers/postgres.ts):
 * a fresh database, the integration on the pg pool typed as `Db` (as
 * `getDb()` hands it out), its catalogue loaded and following changes.
 */
export async function createPgHarness(
  options: PoolWorkerOptions & { random?: () => number } = {},
): Promise<PgHarness> {
  setTestAppSecret();
  const { createTestPostgres, testDatabaseUrl } = await import("@/tests/helpers/postgres");
  const { openPostgres } = await import("../../db/postgres");
  const { recordWriterFor } = await import("../../runtime/recordWriter");
  if (!testDatabaseUrl) throw new Error("TEST_DATABASE_URL is unset");
  const database = await createTestPostgres(testDatabaseUrl);
  const db = database.db as unknown as Db;
  const clock = new ManualClock(Date.now());
  const build = async (on: Db, extra: PoolWorkerOptions = {}) => {
    const integration = createIntegration({
      db: on,
      clock: extra.clock ?? options.clock ?? clock,
      logger: silentLogger,
      policy: parseNetworkPolicy("allow-lan"),
      concurrencyPerEndpoint: extra.concurrencyPerEndpoint ?? options.concurrencyPerEndpoint,
      leaseCapPerEndpoint: extra.leaseCapPerEndpoint ?? options.leaseCapPerEndpoint,
      pollIntervalMs: extra.pollIntervalMs ?? options.pollIntervalMs,
      leaseMs: extra.leaseMs ?? options.leaseMs,
      random: options.random ?? (() => 1),
    });
    await integration.catalog.load();
    return integration;
  };
  const integration = await build(db);
  const others: Array<() => Promise<void>> = [];
  return {
    db,
    dir: "",
    url: database.url,
    clock,
    integration,
    async createApi(input) {
      const { outboundApi, signingSecret } = await createOutboundApi(db, input, options.clock ?? clock);
      // The catalogue learns of it from the notification, a few milliseconds after the commit.
      await eventually(() => integration.catalog.get(outboundApi.id), "the catalogue to reload");
      return { id: outboundApi.id, signingSecret };
    },
    async another(extra = {}) {
      const connection = await openPostgres(database.url, { maxConnections: 4 });
      const otherDb = connection.db as unknown as Db;
      const other = await build(otherDb, extra);
      const close = async () => {
        await other.stop();
        await connection.close();
      };
      others.push(close);
      return { db: otherDb, integration: other, close };
    },
    durable: () => recordWriterFor(db).durable(),
    async cleanup() {
      for (const close of others.splice(0)) await close().catch(() => {});
      await integration.stop();
      await recordWriterFor(db).durable();
      await database.drop();
    },
  };
}
