import { ManualClock } from "@/flows/runtime/testing/manualClock";
import type { Clock } from "@/flows/runtime/ports";
import type { OutboundApiInput } from "@/lib/schemas/integration";
import { createTestDb, type TestDb } from "@/tests/helpers/db";
import type { Db } from "../../db/client";
import { createOutboundApi } from "../../services/outboundApis";
import { createIntegration, type Integration } from "../index";
import { parseNetworkPolicy } from "../networkPolicy";

/** Tests encrypt with this app secret instead of touching the data folder's. */
export function setTestAppSecret(): void {
  process.env.SWITCHBOARD_SECRET ??= "integration-tests-app-secret-0123456789";
}

export const silentLogger = { debug() {}, info() {}, warn() {}, error() {} };

export interface Harness {
  db: Db;
  dir: string;
  clock: ManualClock;
  integration: Integration;
  createApi(input: OutboundApiInput): Promise<{ id: string; signingSecret: string }>;
  cleanup(): Promise<void>;
}

/**
 * A migrated temp database, a manual clock that starts at the real time (so
 * Standard Webhooks' 5-minute timestamp tolerance accepts our signatures) or
 * at `start`, and an integration whose worker is driven by the test (`runOnce`).
 */
export async function createHarness(
  options: { policy?: string; concurrencyPerEndpoint?: number; clock?: Clock; random?: () => number; start?: string; backend?: TestDb["backend"] } = {},
): Promise<Harness> {
  setTestAppSecret();
  const { db, dir, cleanup } = await createTestDb(options.backend);
  const clock = new ManualClock(options.start ?? Date.now());
  const integration = createIntegration({
    db,
    clock: options.clock ?? clock,
    logger: silentLogger,
    policy: parseNetworkPolicy(options.policy ?? "allow-lan"),
    concurrencyPerEndpoint: options.concurrencyPerEndpoint,
    // Retries at exactly their interval unless a test asks for jitter.
    random: options.random ?? (() => 1),
  });
  return {
    db,
    dir,
    clock,
    integration,
    async createApi(input) {
      const { outboundApi, signingSecret } = await createOutboundApi(db, input, options.clock ?? clock);
      return { id: outboundApi.id, signingSecret };
    },
    async cleanup() {
      integration.stop();
      await integration.sender.close().catch(() => {});
      await cleanup();
    },
  };
}
