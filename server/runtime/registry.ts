import { and, eq, gte, lt, ne, or } from "drizzle-orm";
import type { Clock, Logger, TimerHandle } from "@/flows/runtime/ports";
import type { Db } from "../db/client";
import { runtimeInstances } from "../db/schema";
import { affectedRows } from "../db/transaction";
import type { Runtime } from "./runtime";
import type { OpenCallClaim } from "./callStore";

/** How often a runtime says it is alive, and after how long without it the others take its calls over. */
export const HEARTBEAT_MS = 2_000;
export const STALE_AFTER_MS = 10_000;

export interface RuntimeRegistryOptions {
  db: Db;
  runtime: Runtime;
  /** Where the other processes reach this runtime (SWITCHBOARD_INTERNAL_URL). */
  internalUrl: string;
  roles: string;
  logger: Logger;
  /** This runtime was declared dead by another (its row is gone): it must stop before it writes a second final CDR. */
  onFenced: () => void;
  heartbeatMs?: number;
  staleAfterMs?: number;
}

/**
 * A runtime process in `runtime_instances` (server/runtime/README.md, "Several processes"):
 * it registers before it takes calls, heartbeats on its clock, and on each beat takes over
 * the open calls of runtimes that have been silent for `staleAfterMs` — closing them with
 * `system_restart` final CDRs, exactly once thanks to the claim (`claimOpenCalls`).
 */
export class RuntimeRegistry {
  private timer: TimerHandle | null = null;
  private beating: Promise<void> = Promise.resolve();
  private readonly heartbeatMs: number;
  private readonly staleAfterMs: number;

  private constructor(private readonly options: RuntimeRegistryOptions) {
    this.heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;
    this.staleAfterMs = options.staleAfterMs ?? STALE_AFTER_MS;
  }

  get id(): string {
    return this.options.runtime.instanceId;
  }

  private get clock(): Clock {
    return this.options.runtime.clock;
  }

  /** Registers the runtime (before it takes calls) and starts the heartbeat. */
  static async register(options: RuntimeRegistryOptions): Promise<RuntimeRegistry> {
    const registry = new RuntimeRegistry(options);
    const now = registry.clock.now();
    await options.db.insert(runtimeInstances).values({
      id: registry.id,
      internalUrl: options.internalUrl,
      roles: options.roles,
      startedAt: new Date(now).toISOString(),
      heartbeatAt: now,
    });
    registry.schedule();
    return registry;
  }

  /**
   * Start-up: the calls this process's previous run left open (same internal URL) and those of
   * runtimes already silent are closed now; a live runtime's calls are left alone.
   */
  async recoverInterruptedCalls(): Promise<number> {
    return this.options.runtime.recoverInterruptedCalls(this.claim());
  }

  /** One beat: say we are alive, then take over the calls of runtimes that are not. Resolves when done (tests). */
  async beat(): Promise<void> {
    const { db, logger } = this.options;
    const alive = affectedRows(await db.update(runtimeInstances).set({ heartbeatAt: this.clock.now() }).where(eq(runtimeInstances.id, this.id)));
    if (alive === 0) {
      logger.error({ runtimeId: this.id }, "this runtime was declared dead by another (heartbeat too old); stopping so its calls are not recorded twice");
      this.stop();
      this.options.onFenced();
      return;
    }
    const closed = await this.options.runtime.takeOverCalls(this.claim());
    if (closed > 0) logger.warn({ calls: closed }, "took over the calls of a runtime that stopped and closed them");
    await db.delete(runtimeInstances).where(and(ne(runtimeInstances.id, this.id), this.notLive()));
  }

  /** A normal stop: the row goes, so nobody forwards here or waits for the heartbeat to lapse. */
  async deregister(): Promise<void> {
    this.stop();
    await this.beating;
    await this.options.db.delete(runtimeInstances).where(eq(runtimeInstances.id, this.id));
  }

  stop(): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    this.timer = this.clock.setTimeout(() => {
      this.beating = this.beat()
        .catch((error: unknown) => this.options.logger.error({ err: error }, "runtime heartbeat failed"))
        .finally(() => {
          if (this.timer) this.schedule();
        });
    }, this.heartbeatMs);
  }

  private claim(): OpenCallClaim {
    return { runtimeId: this.id, liveSince: this.clock.now() - this.staleAfterMs, internalUrl: this.options.internalUrl };
  }

  /** The rows `claimOpenCalls` treats as gone: silent too long, or an earlier run at this runtime's address. */
  private notLive() {
    const { liveSince, internalUrl } = this.claim();
    return or(lt(runtimeInstances.heartbeatAt, liveSince), eq(runtimeInstances.internalUrl, internalUrl));
  }
}

/** The runtimes alive now, freshest first: where call-control requests may go. */
export async function liveRuntimes(db: Db, now: number, staleAfterMs = STALE_AFTER_MS): Promise<Array<{ id: string; internalUrl: string }>> {
  return db
    .select({ id: runtimeInstances.id, internalUrl: runtimeInstances.internalUrl })
    .from(runtimeInstances)
    .where(gte(runtimeInstances.heartbeatAt, now - staleAfterMs));
}
