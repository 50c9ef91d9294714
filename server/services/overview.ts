import { and, eq, sql, type SQL } from "drizzle-orm";
import { systemClock } from "@/flows/runtime/clock";
import type { Clock } from "@/flows/runtime/ports";
import type { Actor } from "@/lib/schemas/operations";
import { isPostgres, type Db } from "../db/client";
import { cdrs, runtimeInstances } from "../db/schema";
import type { AgentStateView } from "../pbx/agents";
import type { AgentStatus } from "../pbx/events";
import type { Cdr } from "../pbx/cdr";
import { getIntegration } from "../integration";
import type { CircuitBreaker } from "../integration/circuitBreaker";
import { assertTimeZone, dayIn, startOfDayIn } from "./callCentre";
import { conversationWithExtension, listCdrs, visibleExtensions } from "./callHistory";
import { endpointHealth, type EndpointHealth } from "./deliveries";

/**
 * The home page's answer to "is everything working?": calls today and in the
 * last hour, agents logged in, the newest calls (anyone signed in, scoped like
 * the call history), and per CRM hook whether it delivers (admins only — the
 * tRPC router guards it with `adminProcedure`).
 */

const HOUR_MS = 3_600_000;
const NEWEST_CALLS = 8;

export interface CallCounts {
  answered: number;
  /** Every other outcome: no answer, busy, cancelled, voicemail, failed. */
  missed: number;
}

export interface ActivityOverview {
  /** The time zone "today" and the hours are counted in (the viewer's browser's). */
  time_zone: string;
  today: CallCounts;
  last_hour: CallCounts;
  /** Today from local midnight to the current hour, one entry per local hour (23 or 25 on a DST change day). */
  by_hour: Array<CallCounts & { start: string }>;
  /** Agents logged in now, by state. */
  agents: Record<Exclude<AgentStatus, "logged_out">, number>;
  newest_calls: Cdr[];
}

/** A final CDR's end as whole Unix seconds (the stored ISO text), in each dialect's words. */
function endedAtEpochSeconds(db: Db): SQL<number> {
  return isPostgres(db) ? sql`floor(extract(epoch from cast(${cdrs.endedAt} as timestamptz)))::bigint` : sql`cast(strftime('%s', ${cdrs.endedAt}) as integer)`;
}

/**
 * Final CDRs by when they ended (the indexed column): one range scan from
 * local midnight or an hour ago, whichever is earlier, grouped by local hour.
 */
export async function activityOverview(db: Db, actor: Actor, input: { timeZone: string; agents: AgentStateView[] }, clock: Clock = systemClock): Promise<ActivityOverview> {
  const { timeZone } = input;
  assertTimeZone(timeZone);
  const now = clock.now();
  const dayStart = startOfDayIn(dayIn(now, timeZone), timeZone);
  const hourAgo = now - HOUR_MS;
  const visible = await visibleExtensions(db, actor);
  const hours = Math.floor((now - dayStart) / HOUR_MS) + 1;
  const byHour = Array.from({ length: hours }, (_, hour) => ({ start: new Date(dayStart + hour * HOUR_MS).toISOString(), answered: 0, missed: 0 }));
  const today: CallCounts = { answered: 0, missed: 0 };
  const lastHour: CallCounts = { answered: 0, missed: 0 };

  if (visible === null || visible.length > 0) {
    const dayStartIso = new Date(dayStart).toISOString();
    const hourAgoIso = new Date(hourAgo).toISOString();
    const answered = sql`${cdrs.disposition} = 'answered'`;
    const countOf = (condition: SQL) => sql<number>`sum(case when ${condition} then 1 else 0 end)`;
    // -1 collects the calls of the last hour that ended before midnight.
    const hour = sql<number>`case when ${cdrs.endedAt} >= ${dayStartIso} then cast(${endedAtEpochSeconds(db)} - ${dayStart / 1000} as integer) / 3600 else -1 end`;
    const rows = await db
      .select({
        hour,
        answered: countOf(answered),
        missed: countOf(sql`not ${answered}`),
        recentAnswered: countOf(sql`${cdrs.endedAt} >= ${hourAgoIso} and ${answered}`),
        recentMissed: countOf(sql`${cdrs.endedAt} >= ${hourAgoIso} and not ${answered}`),
      })
      .from(cdrs)
      .where(
        and(
          eq(cdrs.isFinal, true),
          sql`${cdrs.endedAt} >= ${dayStart < hourAgo ? dayStartIso : hourAgoIso}`,
          visible ? conversationWithExtension(visible) : undefined,
        ),
      )
      .groupBy(sql`1`);
    for (const row of rows) {
      lastHour.answered += row.recentAnswered;
      lastHour.missed += row.recentMissed;
      if (row.hour < 0) continue;
      today.answered += row.answered;
      today.missed += row.missed;
      // A call stamped a moment ahead of this clock still counts, in the current hour.
      const bucket = byHour[Math.min(row.hour, hours - 1)];
      bucket.answered += row.answered;
      bucket.missed += row.missed;
    }
  }

  const agents = { available: 0, on_call: 0, paused: 0, wrap_up: 0 };
  for (const agent of input.agents) if (agent.status !== "logged_out") agents[agent.status]++;

  return {
    time_zone: timeZone,
    today,
    last_hour: lastHour,
    by_hour: byHour,
    agents,
    newest_calls: (await listCdrs(db, actor, { limit: NEWEST_CALLS })).items,
  };
}

export interface HookStatus extends EndpointHealth {
  /** The look-up's circuit breaker in the runtimes that run calls (the worst of them); null for hooks that only send. */
  breaker: BreakerState | null;
  /** Why the overview draws a red line: failing deliveries, paused by the system (the CRM answered 410), or the look-up breaker open. */
  alert: "failing" | "paused" | "breaker_open" | null;
}

type BreakerState = CircuitBreaker["state"];

/**
 * The look-up breakers of the runtimes that run calls. SQLite: this process's integration (globalThis; one
 * process runs everything). PostgreSQL: what each registered runtime published with its last beat
 * (`runtime_instances.lookup_breakers`, at most a heartbeat — 2 s — old), so a `web` process without a runtime
 * shows the truth and every process shows the same; with several runtimes each has its own breaker, and the
 * worst counts (open over half-open): calls on that runtime take the fallback.
 */
async function lookupBreakerStates(db: Db): Promise<(apiId: string) => BreakerState> {
  if (!isPostgres(db)) {
    const lookups = getIntegration()?.lookups;
    return (apiId) => lookups?.breakerState(apiId) ?? "closed";
  }
  const published = await db.select({ breakers: runtimeInstances.lookupBreakers }).from(runtimeInstances);
  const worst = new Map<string, BreakerState>();
  for (const { breakers } of published) {
    for (const [apiId, state] of Object.entries(breakers ?? {})) if (worst.get(apiId) !== "open") worst.set(apiId, state);
  }
  return (apiId) => worst.get(apiId) ?? "closed";
}

/** Per outbound API: the delivery log's health (last success, failures, waiting) plus the look-up breaker. */
export async function hookOverview(db: Db, clock: Clock = systemClock): Promise<HookStatus[]> {
  const breakerState = await lookupBreakerStates(db);
  return (await endpointHealth(db, clock)).map((health) => {
    const breaker = health.kind === "data_lookup" ? breakerState(health.outbound_api_id) : null;
    const alert =
      health.state === "failing" ? "failing" : health.state === "disabled" && health.disabled_reason !== null ? "paused" : breaker === "open" ? "breaker_open" : null;
    return { ...health, breaker, alert };
  });
}
