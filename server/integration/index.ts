import type { Clock, Logger } from "@/flows/runtime/ports";
import type { Db } from "../db/client";
import type { PgConfigVersions } from "../db/pgConfigVersions";
import type { Runtime } from "../runtime/runtime";
import { outboundApiCatalog, type OutboundApiCatalog } from "./catalog";
import { HttpSender } from "./httpSender";
import { HttpIntegration } from "./integrationPort";
import { LookupClient } from "./lookup";
import { outboundNetworkPolicy, type NetworkPolicy } from "./networkPolicy";
import { Outbox } from "./outbox";
import { PayloadCache } from "./payloadCache";
import { DeliveryWorker } from "./worker";
import { DeliveryPruner } from "./retention";
import { getDeliveryRetentionDays } from "../services/settings";

/**
 * The CRM integration of one process: outbox, delivery worker, look-ups and
 * the runtime's IntegrationPort, wired onto a Runtime. See README.md.
 */
export interface Integration {
  catalog: OutboundApiCatalog;
  outbox: Outbox;
  worker: DeliveryWorker;
  lookups: LookupClient;
  sender: HttpSender;
  port: HttpIntegration;
  policy: NetworkPolicy;
  /** Hourly deletion of old succeeded/expired deliveries (Settings → delivery log retention). */
  pruner: DeliveryPruner;
  /** Saves finished results, releases leases, stops listening; await it before the process exits. */
  stop(): Promise<void>;
}

export interface IntegrationOptions {
  db: Db;
  clock: Clock;
  logger: Logger;
  policy?: NetworkPolicy;
  concurrencyPerEndpoint?: number;
  /** PostgreSQL: the most deliveries leased per endpoint by all workers together (DeliveryWorkerOptions). */
  leaseCapPerEndpoint?: number;
  /** How long a claim or a renewal holds a delivery (DeliveryWorkerOptions); 20 s. */
  leaseMs?: number;
  pollIntervalMs?: number;
  /** PostgreSQL: the process's change counters when the runtime already listens (else the catalogue opens its own LISTEN connection). */
  versions?: PgConfigVersions;
  random?: () => number;
}

/**
 * The integration's parts, not started. Its catalogue must be loaded
 * (`await integration.catalog.load()`) before use on PostgreSQL;
 * `startIntegration` does that.
 */
export function createIntegration(options: IntegrationOptions): Integration {
  const { db, clock, logger } = options;
  const policy = options.policy ?? outboundNetworkPolicy();
  const catalog = outboundApiCatalog(db, options.versions);
  const sender = new HttpSender({ policy, clock, connectionsPerOrigin: options.concurrencyPerEndpoint ?? 8 });
  const payloads = new PayloadCache();
  const outbox = new Outbox(db, catalog, clock, payloads);
  const worker = new DeliveryWorker({
    db,
    catalog,
    clock,
    sender,
    logger,
    payloads,
    concurrencyPerEndpoint: options.concurrencyPerEndpoint,
    leaseCapPerEndpoint: options.leaseCapPerEndpoint,
    leaseMs: options.leaseMs,
    pollIntervalMs: options.pollIntervalMs,
    random: options.random,
  });
  outbox.onEnqueued = () => worker.wake();
  const stopWaking = catalog.onChange(() => worker.wake());
  const lookups = new LookupClient({ db, clock, sender, logger });
  const port = new HttpIntegration(catalog, outbox, lookups, logger);
  const pruner = new DeliveryPruner({ db, clock, logger, retentionDays: () => getDeliveryRetentionDays(db) });
  return {
    catalog,
    outbox,
    worker,
    lookups,
    sender,
    port,
    policy,
    pruner,
    async stop() {
      stopWaking();
      pruner.stop();
      await worker.stop();
      await catalog.close();
      await sender.close();
    },
  };
}

/** Hooks the outbox into the call store's transactions and installs the HTTP port on the runtime. */
export function attachToRuntime(integration: Integration, runtime: Runtime): void {
  runtime.store.onConversationEnded.push(integration.outbox.conversationEnded);
  runtime.store.onEvent.push(integration.outbox.eventRecorded);
  runtime.store.beforeRecovery.push(() => integration.outbox.loadCallDataMarks());
  integration.outbox.currentLegOf = (callId) => runtime.pbx.getCall(callId)?.legs.at(-1)?.leg_id ?? null;
  runtime.integration = integration.port;
}

const globalForIntegration = globalThis as unknown as { switchboardIntegration?: Integration };

/**
 * Start-up (once): loads the catalogue, wires the integration onto the process runtime when it has one (`runtime`
 * role: the outbox and look-ups) and starts the delivery worker and retention when it runs them (`worker` role).
 */
export async function startIntegration(runtime: Runtime | null, options: IntegrationOptions & { worker: boolean }): Promise<Integration> {
  if (globalForIntegration.switchboardIntegration) return globalForIntegration.switchboardIntegration;
  const integration = createIntegration(options);
  await integration.catalog.load();
  globalForIntegration.switchboardIntegration ??= integration;
  if (globalForIntegration.switchboardIntegration !== integration) return globalForIntegration.switchboardIntegration;
  if (runtime) attachToRuntime(integration, runtime);
  if (options.worker) {
    integration.worker.start();
    integration.pruner.start();
  }
  return integration;
}

/** The running integration (undefined in tests that do not start one, and before boot). */
export function getIntegration(): Integration | undefined {
  return globalForIntegration.switchboardIntegration;
}

export function installIntegrationForTests(integration: Integration | undefined): void {
  globalForIntegration.switchboardIntegration = integration;
}
