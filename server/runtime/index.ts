import { getConfig } from "../config";
import { getDb } from "../db/client";
import { componentLogger } from "../logger";
import { Runtime } from "./runtime";

// One runtime per process, shared by every route handler bundle (hence globalThis).
const globalForRuntime = globalThis as unknown as { switchboardRuntime?: Runtime };

export function getRuntime(): Runtime {
  if (!globalForRuntime.switchboardRuntime) {
    const config = getConfig();
    const runtime = new Runtime({
      db: getDb(),
      recordingsDir: config.recordingsDir,
      logger: componentLogger("runtime"),
      defaultRegion: config.DEFAULT_REGION,
      recordingLinkTtlMs: config.RECORDING_LINK_TTL_HOURS * 3_600_000,
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
