import { systemClock } from "@/flows/runtime/clock";
import type { Clock } from "@/flows/runtime/ports";
import { getConfig, hasRole } from "../config";
import { getDb, isPostgres } from "../db/client";
import { componentLogger } from "../logger";
import type { TelephonyEngine } from "../telephony/engine";
import { Runtime, type RuntimeOptions } from "./runtime";
import { createRuntimeStore } from "./runtimeStore";
import { startSipEngine } from "./sipTelephony";

// One runtime per process, shared by every route handler bundle (hence globalThis).
const globalForRuntime = globalThis as unknown as { switchboardRuntime?: Runtime; switchboardEngine?: TelephonyEngine };

/** `TELEPHONY=sip`: start-up binds the SIP edge before the runtime is built (its socket is opened asynchronously). */
export async function startTelephony(): Promise<void> {
  const config = getConfig();
  if (config.TELEPHONY !== "sip" || globalForRuntime.switchboardEngine) return;
  globalForRuntime.switchboardEngine = await startSipEngine(config, getDb(), componentLogger("sip"));
}

/**
 * Start-up: builds the process runtime. On PostgreSQL its store must be built
 * asynchronously (`createRuntimeStore`: the directory snapshot, LISTEN), so it
 * is built here; on SQLite `getRuntime()` could build it on first use as well.
 */
export async function startRuntime(): Promise<Runtime> {
  if (!globalForRuntime.switchboardRuntime) {
    const db = getDb();
    const data = isPostgres(db) ? await createRuntimeStore(db) : undefined;
    globalForRuntime.switchboardRuntime ??= new Runtime(runtimeOptions(data ? { data } : { db }));
  }
  return globalForRuntime.switchboardRuntime;
}

function runtimeOptions(database: Pick<RuntimeOptions, "db" | "data">): RuntimeOptions {
  const config = getConfig();
  if (config.TELEPHONY === "sip" && !globalForRuntime.switchboardEngine) throw new Error("TELEPHONY=sip: the SIP edge was not started (startTelephony)");
  return {
    ...database,
    recordingsDir: config.recordingsDir,
    logger: componentLogger("runtime"),
    defaultRegion: config.DEFAULT_REGION,
    recordingLinkTtlMs: config.RECORDING_LINK_TTL_HOURS * 3_600_000,
    engine: globalForRuntime.switchboardEngine,
  };
}

export function getRuntime(): Runtime {
  if (!globalForRuntime.switchboardRuntime) {
    if (!hasRole("runtime")) throw new Error("This process has no call runtime (SWITCHBOARD_ROLES); reach one through onRuntime (callRouting.ts)");
    const db = getDb();
    if (isPostgres(db)) throw new Error("PostgreSQL: the runtime is built at start-up (startRuntime)");
    globalForRuntime.switchboardRuntime = new Runtime(runtimeOptions({ db }));
  }
  return globalForRuntime.switchboardRuntime;
}

/** This process's runtime when it has the `runtime` role, else null (requests about calls go through `onRuntime`, callRouting.ts). */
export function localRuntime(): Runtime | null {
  return globalForRuntime.switchboardRuntime ?? (hasRole("runtime") ? getRuntime() : null);
}

/** The runtime boot() started in this process, if any yet (never builds one). */
export function startedRuntime(): Runtime | null {
  return globalForRuntime.switchboardRuntime ?? null;
}

/** This process's clock: its runtime's (tests install one on a manual clock), else the system's. */
export function processClock(): Clock {
  return localRuntime()?.clock ?? systemClock;
}

/** Where recordings are: runtimes write them there and any process serving them reads the same folder (a shared DATA_DIR). */
export function recordingsDir(): string {
  return localRuntime()?.recordingsDir ?? getConfig().recordingsDir;
}

/** Tests: install a runtime built on a temp database and a manual clock. */
export function installRuntimeForTests(runtime: Runtime | undefined): void {
  globalForRuntime.switchboardRuntime = runtime;
}

export { Runtime } from "./runtime";
