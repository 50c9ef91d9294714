import { isNotNull } from "drizzle-orm";
import { isPostgres, type Db } from "../db/client";
import { pgTables } from "../db/schema/pg";
import type { AgentStateView } from "../pbx/agents";
import { getRuntime } from "../runtime";
import type { Actor } from "@/lib/schemas/operations";
import { listLiveCalls } from "../services/callHistory";
import { runtimeLiveCalls, type LiveCallRecord, type LiveCallView } from "./liveCallViews";

/**
 * The snapshots the live views show, read where they live: on SQLite from
 * this process's runtime (one process runs everything), on PostgreSQL from
 * the tables the runtime process keeps current — so a `web` or `api` process
 * without a runtime shows the same board and calls.
 */

/** Calls in progress: on PostgreSQL as their runtimes last published them (`open_calls.live_view`, liveCallViews.ts). */
export async function liveCallRecords(db: Db): Promise<LiveCallRecord[]> {
  if (!isPostgres(db)) {
    const runtime = getRuntime();
    return runtimeLiveCalls(runtime.pbx, runtime.live);
  }
  const { openCalls } = pgTables;
  const rows = await db.select({ view: openCalls.liveView }).from(openCalls).where(isNotNull(openCalls.liveView));
  return rows.map((row) => row.view as LiveCallRecord);
}

/** The calls in progress `actor` may see, oldest first: what `calls.live` answers and the live calls stream pushes. */
export async function liveCallsFor(db: Db, actor: Actor): Promise<LiveCallView[]> {
  return listLiveCalls(db, await liveCallRecords(db), actor);
}

/**
 * Every agent's state. PostgreSQL: the last row of each agent's history (the
 * runtime writes every change there), an agent without one logged out —
 * what the runtime's memory says, as of its last committed write.
 */
export async function liveAgentStates(db: Db): Promise<AgentStateView[]> {
  if (!isPostgres(db)) return getRuntime().pbx.agentStates();
  const { rows } = await db.$client.query<AgentStateView>(
    `select a.id as agent_id, a.user_id, trim(u.first_name || ' ' || u.last_name) as name, x.extension,
            coalesce(h.status, 'logged_out') as status, h.pause_reason, h.at as since
     from agents a
     join users u on u.id = a.user_id
     cross join lateral (select min(e.number) as extension from extensions e where e.owner_user_id = a.user_id) x
     left join lateral (select status, pause_reason, at from agent_state_history where agent_id = a.id order by id desc limit 1) h on true
     where x.extension is not null
     order by name`,
  );
  return rows;
}
