import { and, eq, ne, or, sql } from "drizzle-orm";
import type { Clock, Logger, TimerHandle } from "@/flows/runtime/ports";
import type { Db } from "../db/client";
import { runtimeInstances } from "../db/schema";
import { affectedRows } from "../db/transaction";
import type { Runtime } from "./runtime";
import type { OpenCallClaim } from "./callStore";

/** How often a runtime says it is alive, and after how long without it the others take its calls over. */
export const HEARTBEAT_MS = 2_000;
export const STALE_AFTER_MS = 10_000;

/** Look-up circuit breakers a runtime has not closed, by outbound API id (`runtime_instances.lookup_breakers`). */
export type LookupBreakers = Record<string, "open" | "half_open">;

/**
 * Which runtimes stopped beating, timed on the observer's own clock.
 *
 * Why not compare times: a heartbeat time written on one machine's clock and compared with another's makes a
 * runtime whose clock is behind look dead at once, and one whose clock is ahead stay alive long after it
 * stopped. Each beat moves a counter instead (`heartbeat_count`), and an observer declares a runtime dead only
 * when it has itself seen that counter stand still for `staleAfterMs` on its own clock — only each clock's rate
 * matters, never agreement between machines. (The other way, PostgreSQL's clock for writing and comparing,
 * would put the tests on real time and has no counterpart on SQLite; the counter works the same on both
 * backends and on the injected clock.) A runtime first seen now is alive for a full period: a dead one is
 * found late rather than a live one early.
 */
export class HeartbeatWatch {
  private readonly seen = new Map<string, { count: number; since: number }>();
  private lastLook: number | null = null;

  constructor(
    private readonly staleAfterMs = STALE_AFTER_MS,
    /**
     * A look longer than this after the previous one restarts every timing: the observer itself was paused
     * (a long GC, a suspended VM) and the others may not yet have had the chance to beat since they resumed.
     * For the takeover, which fences the runtime it declares dead; forwarding only skips one, so it sets none.
     */
    private readonly pauseMs = Number.POSITIVE_INFINITY,
  ) {}

  /** Notes each runtime's counter as seen `now` (this observer's clock); returns those that have not moved for the period. */
  stale<Row extends { id: string; heartbeatCount: number }>(rows: Row[], now: number): Row[] {
    const paused = this.lastLook !== null && now - this.lastLook > this.pauseMs;
    this.lastLook = now;
    const present = new Set(rows.map((row) => row.id));
    for (const id of this.seen.keys()) if (!present.has(id)) this.seen.delete(id);
    return rows.filter((row) => {
      const last = this.seen.get(row.id);
      if (paused || !last || last.count !== row.heartbeatCount) {
        this.seen.set(row.id, { count: row.heartbeatCount, since: now });
        return false;
      }
      return now - last.since > this.staleAfterMs;
    });
  }
}

export interface RuntimeRegistryOptions {
  db: Db;
  runtime: Runtime;
  /** Where the other processes reach this runtime (SWITCHBOARD_INTERNAL_URL). */
  internalUrl: string;
  roles: string;
  logger: Logger;
  /** This runtime was declared dead by another (its row is gone): it must stop before it writes a second final CDR. */
  onFenced: () => void;
  /** The look-up breakers this process's integration has not closed, published with each beat for processes without a runtime. */
  lookupBreakers?: () => LookupBreakers;
  heartbeatMs?: number;
  staleAfterMs?: number;
}

/**
 * A runtime process in `runtime_instances` (server/runtime/README.md, "Several processes"):
 * it registers before it takes calls, moves its heartbeat counter on each beat, and on each beat takes
 * over the open calls of runtimes whose counter it has seen stand still for `staleAfterMs` (HeartbeatWatch):
 * it deletes their rows, then claims the calls of owners without a row (`claimOpenCalls`), closing them with
 * `system_restart` final CDRs, exactly once.
 */
export class RuntimeRegistry {
  private timer: TimerHandle | null = null;
  private beating: Promise<void> = Promise.resolve();
  private readonly heartbeatMs: number;
  private readonly watch: HeartbeatWatch;

  private constructor(private readonly options: RuntimeRegistryOptions) {
    this.heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;
    const staleAfterMs = options.staleAfterMs ?? STALE_AFTER_MS;
    this.watch = new HeartbeatWatch(staleAfterMs, staleAfterMs / 2);
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
   * Start-up: the calls this process's previous run left open (same internal URL) are closed now, and those
   * of runtimes with no row; a registered runtime's calls wait until this one has seen it stop beating.
   */
  async recoverInterruptedCalls(): Promise<number> {
    await this.removeRuntimes([]);
    return this.options.runtime.recoverInterruptedCalls(this.claim());
  }

  /** One beat: say we are alive, then take over the calls of runtimes that are not. Resolves when done (tests). */
  async beat(): Promise<void> {
    const { db, logger } = this.options;
    const breakers = this.options.lookupBreakers?.() ?? {};
    const alive = affectedRows(
      await db
        .update(runtimeInstances)
        .set({
          heartbeatCount: sql`${runtimeInstances.heartbeatCount} + 1`,
          heartbeatAt: this.clock.now(),
          lookupBreakers: Object.keys(breakers).length > 0 ? breakers : null,
        })
        .where(eq(runtimeInstances.id, this.id)),
    );
    if (alive === 0) {
      logger.error({ runtimeId: this.id }, "this runtime was declared dead by another (no heartbeat seen); stopping so its calls are not recorded twice");
      this.stop();
      this.options.onFenced();
      return;
    }
    const others = await db
      .select({ id: runtimeInstances.id, heartbeatCount: runtimeInstances.heartbeatCount })
      .from(runtimeInstances)
      .where(ne(runtimeInstances.id, this.id));
    await this.removeRuntimes(this.watch.stale(others, this.clock.now()));
    const closed = await this.options.runtime.takeOverCalls(this.claim());
    if (closed > 0) logger.warn({ calls: closed }, "took over the calls of a runtime that stopped and closed them");
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

  /**
   * Deletes the rows of runtimes found dead — only if their counter is still the one seen, so a runtime that
   * beat in the meantime stays (and keeps its calls) — and of earlier runs at this runtime's address. The
   * claim then takes the calls whose owner has no row; a runtime whose row went stops at its next beat.
   */
  private async removeRuntimes(dead: Array<{ id: string; heartbeatCount: number }>): Promise<void> {
    const earlierRunHere = and(eq(runtimeInstances.internalUrl, this.options.internalUrl), ne(runtimeInstances.id, this.id));
    const silent = dead.map((row) => and(eq(runtimeInstances.id, row.id), eq(runtimeInstances.heartbeatCount, row.heartbeatCount)));
    await this.options.db.delete(runtimeInstances).where(or(earlierRunHere, ...silent));
  }

  private claim(): OpenCallClaim {
    return { runtimeId: this.id, everyCall: false };
  }
}

// Forwarding's watch: one per process (every Next bundle's copy of this module shares it), timed on its clock.
const globalForRegistry = globalThis as unknown as { switchboardHeartbeatWatch?: HeartbeatWatch };

/**
 * The runtimes alive now: where call-control requests may go. Registered, and not seen by this process
 * with a heartbeat counter standing still for the stale period (the same rule the takeover uses, timed
 * on this process's clock) — a crashed runtime is skipped here even before another deletes its row.
 */
export async function liveRuntimes(db: Db, now: number, watch = (globalForRegistry.switchboardHeartbeatWatch ??= new HeartbeatWatch())): Promise<Array<{ id: string; internalUrl: string }>> {
  const rows = await db
    .select({ id: runtimeInstances.id, internalUrl: runtimeInstances.internalUrl, heartbeatCount: runtimeInstances.heartbeatCount })
    .from(runtimeInstances);
  const stale = new Set(watch.stale(rows, now).map((row) => row.id));
  return rows.filter((row) => !stale.has(row.id)).map(({ id, internalUrl }) => ({ id, internalUrl }));
}
