import { ensureDataDir, getAppSecret, getConfig, StartupError } from "./config";
import { getDb, openConfiguredDatabase } from "./db/client";
import { seedDemo } from "./services/demo";
import { backfillContactSearch } from "./services/phonebook";
import { countUsers } from "./services/users";
import { componentLogger } from "./logger";
import { startRuntime, startTelephony } from "./runtime";
import type { PostgresRuntimeStore } from "./runtime/runtimeStore";
import { startIntegration } from "./integration";
import { outboundNetworkPolicy } from "./integration/networkPolicy";

const log = componentLogger("boot");

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
    await startTelephony().catch((error: unknown) => {
      throw new StartupError(`The SIP edge cannot listen on ${config.SIP_LISTEN}: ${String(error)}`);
    });
    const runtime = await startRuntime();
    // Before recovery, so the CDRs of calls cut off by the last stop reach the CRM too.
    // On PostgreSQL the catalogue follows configuration changes on the runtime's LISTEN connection.
    const integration = await startIntegration(runtime, {
      db,
      clock: runtime.clock,
      logger: componentLogger("delivery"),
      policy: outboundNetworkPolicy(config),
      versions: "versions" in runtime.data ? (runtime.data as PostgresRuntimeStore).versions : undefined,
    });
    const recovered = await runtime.recoverInterruptedCalls();
    if (recovered > 0) log.warn({ calls: recovered }, "closed calls interrupted by the previous stop");
    if (config.TELEPHONY === "sip") log.info({ listen: config.SIP_LISTEN, rtpPorts: config.RTP_PORTS }, "SIP edge listening");
    // On a normal stop every call in progress ends cleanly with its final CDR.
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      process.once(signal, () => {
        // Calls end (their final CDRs and outbox rows are recorded), the worker saves its results and hands its leases back, then the records are committed.
        runtime.shutdown();
        void integration
          .stop()
          .then(() => runtime.close())
          .finally(() => process.exit(0));
      });
    }
    log.info({ dataDir: config.dataDir }, "Switchboard ready");
  } catch (error) {
    if (error instanceof StartupError) {
      log.fatal(error.message);
      console.error(`\nSwitchboard cannot start: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
