import { systemClock } from "@/flows/runtime/clock";
import { ensureDataDir, getAppSecret, getConfig, ROLES, StartupError, type AppConfig } from "./config";
import { getDb, openConfiguredDatabase } from "./db/client";
import { seedDemo } from "./services/demo";
import { backfillContactSearch } from "./services/phonebook";
import { countUsers } from "./services/users";
import { componentLogger } from "./logger";
import { startRuntime, startTelephony, type Runtime } from "./runtime";
import type { PostgresRuntimeStore } from "./runtime/runtimeStore";
import { RuntimeRegistry } from "./runtime/registry";
import { getIntegration, startIntegration } from "./integration";
import { outboundNetworkPolicy } from "./integration/networkPolicy";

const log = componentLogger("boot");
// Next runs boot() (instrumentation) in its own bundle; the production server's bundle asks through globalThis.
const globalForBoot = globalThis as unknown as { switchboardBooted?: boolean };

/** Whether boot() has finished in this process: the server may take requests before it has (GET /health says "starting"). */
export function isBooted(): boolean {
  return globalForBoot.switchboardBooted === true;
}

/**
 * Everything the server needs before it takes requests: a writable data folder,
 * the migrated database, the app secret, and the demo organisation on a new
 * install. A problem stops the process with a message that says what and where.
 */
export async function boot(): Promise<void> {
  try {
    const config = getConfig();
    ensureDataDir(config);
    // PostgreSQL (DATABASE_URL) opens asynchronously, so here, before anything calls getDb().
    await openConfiguredDatabase();
    const db = getDb();
    getAppSecret(config);
    await backfillContactSearch(db);
    if (config.DEMO === "1" && await countUsers(db) === 0) {
      const result = await seedDemo(db);
      if (result.seeded) log.info({ extensions: result.extensions, phoneNumbers: result.phoneNumbers }, "demo organisation seeded");
    }
    // SWITCHBOARD_ROLES: every process migrates and seeds the same way; only what it starts differs (server/runtime/README.md, "Several processes").
    const roles = config.SWITCHBOARD_ROLES;
    const runtime = roles.has("runtime") ? await startCallRuntime(config) : null;
    // Before recovery, so the CDRs of calls cut off by the last stop reach the CRM too.
    // On PostgreSQL the catalogue follows configuration changes on the runtime's LISTEN connection (without a runtime it opens its own).
    const integration =
      runtime || roles.has("worker")
        ? await startIntegration(runtime?.runtime ?? null, {
            db,
            clock: runtime?.runtime.clock ?? systemClock,
            logger: componentLogger("delivery"),
            policy: outboundNetworkPolicy(config),
            leaseMs: config.DELIVERY_LEASE_SECONDS * 1000,
            versions: runtime && "versions" in runtime.runtime.data ? (runtime.runtime.data as PostgresRuntimeStore).versions : undefined,
            worker: roles.has("worker"),
          })
        : null;
    if (runtime) {
      // One process (all roles) closes every call its previous run left open, as always; a runtime among others spares the live ones' calls.
      const recovered = roles.size === ROLES.length ? await runtime.runtime.recoverInterruptedCalls() : await runtime.registry.recoverInterruptedCalls();
      if (recovered > 0) log.warn({ calls: recovered }, "closed calls interrupted by the previous stop");
      if (config.TELEPHONY === "sip") log.info({ listen: config.SIP_LISTEN, rtpPorts: config.RTP_PORTS }, "SIP edge listening");
    }
    // On a normal stop every call in progress ends cleanly with its final CDR.
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      process.once(signal, () => {
        // Calls end (their final CDRs and outbox rows are recorded), the worker saves its results and hands its leases back,
        // then the records are committed and the runtime leaves the registry.
        runtime?.runtime.shutdown();
        void (async () => {
          await integration?.stop();
          await runtime?.runtime.close();
          await runtime?.registry.deregister();
        })().finally(() => process.exit(0));
      });
    }
    globalForBoot.switchboardBooted = true;
    log.info({ dataDir: config.dataDir, roles: [...roles] }, "Switchboard ready");
  } catch (error) {
    if (error instanceof StartupError) {
      log.fatal(error.message);
      console.error(`\nSwitchboard cannot start: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

/** The `runtime` role: the telephony engine and the call runtime, registered so the other processes can reach it. */
async function startCallRuntime(config: AppConfig): Promise<{ runtime: Runtime; registry: RuntimeRegistry }> {
  await startTelephony().catch((error: unknown) => {
    throw new StartupError(`The SIP edge cannot listen on ${config.SIP_LISTEN}: ${String(error)}`);
  });
  const runtime = await startRuntime();
  const registry = await RuntimeRegistry.register({
    db: getDb(),
    runtime,
    internalUrl: internalUrl(config),
    roles: [...config.SWITCHBOARD_ROLES].join(","),
    logger: componentLogger("runtime-registry"),
    // Another runtime has closed this one's calls: stop at once, before any of them gets a second final CDR.
    onFenced: () => process.exit(70),
    // The integration starts after the registry; its breakers are read at each beat, from globalThis.
    lookupBreakers: () => getIntegration()?.lookups.unclosedBreakers() ?? {},
  });
  return { runtime, registry };
}

/** Where the other processes reach this one (call-control requests forwarded to the runtime that has the call). */
export function internalUrl(config: AppConfig): string {
  return config.SWITCHBOARD_INTERNAL_URL ?? `http://127.0.0.1:${config.PORT}`;
}
