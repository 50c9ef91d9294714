import { getConfig } from "../config";
import { getDb } from "../db/client";
import { componentLogger } from "../logger";
import type { TelephonyEngine } from "../telephony/engine";
import { Runtime } from "./runtime";
import { startSipEngine } from "./sipTelephony";

// One runtime per process, shared by every route handler bundle (hence globalThis).
const globalForRuntime = globalThis as unknown as { switchboardRuntime?: Runtime; switchboardEngine?: TelephonyEngine };

/** `TELEPHONY=sip`: start-up binds the SIP edge before the runtime is built (its socket is opened asynchronously). */
export async function startTelephony(): Promise<void> {
  const config = getConfig();
  if (config.TELEPHONY !== "sip" || globalForRuntime.switchboardEngine) return;
  globalForRuntime.switchboardEngine = await startSipEngine(config, getDb(), componentLogger("sip"));
}

export function getRuntime(): Runtime {
  if (!globalForRuntime.switchboardRuntime) {
    const config = getConfig();
    if (config.TELEPHONY === "sip" && !globalForRuntime.switchboardEngine) throw new Error("TELEPHONY=sip: the SIP edge was not started (startTelephony)");
    const runtime = new Runtime({
      db: getDb(),
      recordingsDir: config.recordingsDir,
      logger: componentLogger("runtime"),
      defaultRegion: config.DEFAULT_REGION,
      recordingLinkTtlMs: config.RECORDING_LINK_TTL_HOURS * 3_600_000,
      engine: globalForRuntime.switchboardEngine,
    });
    globalForRuntime.switchboardRuntime = runtime;
  }
  return globalForRuntime.switchboardRuntime;
}

/** Tests: install a runtime built on a temp database and a manual clock. */
export function installRuntimeForTests(runtime: Runtime | undefined): void {
  globalForRuntime.switchboardRuntime = runtime;
}

export { Runtime } from "./runtime";
