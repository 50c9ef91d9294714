import { and, asc, desc, eq, gte, inArray, lt, sql } from "drizzle-orm";
import { isPostgres, type Db } from "../db/client";
import { affectedRows, transaction } from "../db/transaction";
import { agentStateHistory, agents, flowRevisions, flows, queueMembers, queues, users } from "../db/schema";
import type { Pbx } from "../pbx/pbx";
import { PbxError } from "../pbx/errors";
import type { AgentStateView } from "../pbx/agents";
import type { AgentStatus } from "../pbx/events";
import { newId } from "@/lib/ids";
import {
  agentActionSchema,
  dailyReportQuerySchema,
  queueInputSchema,
  statusTimesQuerySchema,
  type Actor,
  type AgentActionInput,
  type DailyReportQuery,
  type QueueInput,
  type StatusTimesQuery,
} from "@/lib/schemas/operations";
import { listQueues, type QueueView } from "./queues";
import { ServiceError, notFound } from "./errors";

/**
 * The call centre: queues (admins), who is an agent (admins), agent actions
 * (agents for themselves, admins for anyone) through the PBX, the live
 * board, and time-in-state reports from the append-only
 * `agent_state_history` — the portal report and `GET /agents/status-times`
 * both come from `agentStatusTimes`.
 */

// ── queues ─────────────────────────────────────────────────────────────

export { listQueues, type QueueView };

async function getQueue(db: Db, id: string): Promise<QueueView> {
  const queue = (await listQueues(db)).find((q) => q.id === id);
  if (!queue) throw notFound("Queue", id);
  return queue;
}

async function assertAgentsExist(db: Db, agentIds: string[]): Promise<void> {
  if (agentIds.length === 0) return;
  const found = await db.select({ id: agents.id }).from(agents).where(inArray(agents.id, agentIds));
  if (found.length !== new Set(agentIds).size) {
    throw new ServiceError("invalid", "A selected member is not an agent", { field: "memberAgentIds", messageKey: "operations.errors.notAnAgent" });
  }
}

async function writeMembers(db: Db, queueId: string, agentIds: string[]): Promise<void> {
  await db.delete(queueMembers).where(eq(queueMembers.queueId, queueId));
  for (const agentId of new Set(agentIds)) await db.insert(queueMembers).values({ queueId, agentId });
}

export async function createQueue(db: Db, input: QueueInput): Promise<QueueView> {
  const { memberAgentIds, ...data } = queueInputSchema.parse(input);
  await assertAgentsExist(db, memberAgentIds);
  const id = newId("queue");
  await transaction(db, async (tx) => {
    await tx.insert(queues).values({ id, ...data });
    await writeMembers(tx, id, memberAgentIds);
  });
  return getQueue(db, id);
}

export async function updateQueue(db: Db, id: string, input: QueueInput): Promise<QueueView> {
  const { memberAgentIds, ...data } = queueInputSchema.parse(input);
  await assertAgentsExist(db, memberAgentIds);
  await transaction(db, async (tx) => {
    const result = await tx
      .update(queues)
      .set({ ...data, updatedAt: new Date().toISOString() })
      .where(eq(queues.id, id));
    if (affectedRows(result) === 0) throw notFound("Queue", id);
    await writeMembers(tx, id, memberAgentIds);
  });
  return getQueue(db, id);
}

/** Flows whose draft or latest published revision sends calls to the queue. */
async function flowsUsingQueue(db: Db, queueId: string): Promise<string[]> {
  const mention = `%"${queueId}"%`;
  const latestRevision = sql`${flowRevisions.revision} = (select max(r.revision) from flow_revisions r where r.flow_id = "flow_revisions"."flow_id")`;
  const inDrafts = await db.select({ name: flows.name }).from(flows).where(sql`${flows.draft} like ${mention}`);
  const inPublished = await db
    .select({ name: flows.name })
    .from(flowRevisions)
    .innerJoin(flows, eq(flows.id, flowRevisions.flowId))
    .where(and(latestRevision, sql`${flowRevisions.document} like ${mention}`));
  return [...new Set([...inDrafts, ...inPublished].map((f) => f.name))];
}

/** Refused while a flow still routes calls to the queue: those calls would find no queue. */
export async function deleteQueue(db: Db, id: string): Promise<void> {
  const usedBy = await flowsUsingQueue(db, id);
  if (usedBy.length > 0) {
    throw new ServiceError("conflict", `Flows still send calls to this queue: ${usedBy.join(", ")}`, { messageKey: "operations.errors.queueInUse" });
  }
  const result = await db.delete(queues).where(eq(queues.id, id));
  if (affectedRows(result) === 0) throw notFound("Queue", id);
}

// ── agents ─────────────────────────────────────────────────────────────

/** PBX refusals as service errors; an agent without an extension is unknown to the PBX. */
function pbxAction(action: () => void): void {
  try {
    action();
  } catch (error) {
    if (!(error instanceof PbxError)) throw error;
    if (error.code === "not_found") throw new ServiceError("not_found", error.message, { messageKey: "operations.errors.agentNoExtension" });
    throw new ServiceError(error.code === "conflict" ? "conflict" : "invalid", error.message, { messageKey: "operations.errors.agentStateConflict" });
  }
}

/** Makes a user an agent (or not). Removing an agent logs them out; their state history goes with them. */
export async function setUserIsAgent(db: Db, pbx: Pbx, userId: string, isAgent: boolean): Promise<{ agentId: string | null }> {
  if (!(await db.select({ id: users.id }).from(users).where(eq(users.id, userId)).limit(1))[0]) throw notFound("User", userId);
  const [existing] = await db.select({ id: agents.id }).from(agents).where(eq(agents.userId, userId)).limit(1);
  if (isAgent) {
    if (existing) return { agentId: existing.id };
    const agentId = newId("agent");
    await db.insert(agents).values({ id: agentId, userId });
    return { agentId };
  }
  if (existing) {
    if (pbx.agentStates().some((a) => a.agent_id === existing.id && a.status !== "logged_out")) pbx.agentLogout(existing.id);
    await db.delete(agents).where(eq(agents.id, existing.id));
  }
  return { agentId: null };
}

/** The agent id of a user, or null. */
export async function agentIdOfUser(db: Db, userId: string): Promise<string | null> {
  return (await db.select({ id: agents.id }).from(agents).where(eq(agents.userId, userId)).limit(1))[0]?.id ?? null;
}

export async function canActForAgent(db: Db, actor: Actor, agentId: string): Promise<boolean> {
  if (actor.kind === "api" || actor.role === "admin") return true;
  return (await agentIdOfUser(db, actor.userId)) === agentId;
}

/** Log in / out, pause with a reason, resume: agents for themselves, admins for anyone. */
export async function agentAction(db: Db, pbx: Pbx, actor: Actor, input: AgentActionInput): Promise<AgentStateView> {
  const { agentId, action, reason } = agentActionSchema.parse(input);
  if (!(await db.select({ id: agents.id }).from(agents).where(eq(agents.id, agentId)).limit(1))[0]) throw notFound("Agent", agentId);
  if (!(await canActForAgent(db, actor, agentId))) {
    throw new ServiceError("forbidden", "Agents may change only their own state", { messageKey: "operations.errors.notYourAgent" });
  }
  pbxAction(() => {
    if (action === "login") pbx.agentLogin(agentId);
    else if (action === "logout") pbx.agentLogout(agentId);
    else if (action === "pause") pbx.agentPause(agentId, reason || null);
    else pbx.agentResume(agentId);
  });
  return pbx.agentStates().find((a) => a.agent_id === agentId)!;
}

export interface AgentBoardRow extends AgentStateView {
  queues: string[];
}

/** API.md `GET /agents/status` items (`states`: liveAgentStates), plus the queues each agent serves (the portal's board). */
export async function agentBoard(db: Db, states: AgentStateView[]): Promise<AgentBoardRow[]> {
  const memberships = await db
    .select({ agentId: queueMembers.agentId, name: queues.name })
    .from(queueMembers)
    .innerJoin(queues, eq(queues.id, queueMembers.queueId))
    .orderBy(asc(queues.name));
  return states
    .map((state) => ({ ...state, queues: memberships.filter((m) => m.agentId === state.agent_id).map((m) => m.name) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

// ── time in state ──────────────────────────────────────────────────────

export interface AgentStatusTimes {
  agent_id: string;
  user_id: string;
  name: string;
  logged_in_s: number;
  available_s: number;
  paused_s: number;
  on_call_s: number;
  wrap_up_s: number;
  /** Paused seconds per reason; a pause without a reason counts under `unspecified`. */
  paused_by_reason: Record<string, number>;
  answered_calls: number;
}

export const unspecifiedPauseReason = "unspecified";

type Durations = { byStatus: Record<AgentStatus, number>; byReason: Record<string, number> };

const toSeconds = (ms: number) => Math.round(ms) / 1000;

/**
 * Time each agent spent in each state within [from, until), from the
 * append-only history: the state at `from` is the last change before it, and
 * a state still open counts until min(now, until). Answered calls are the
 * CDR legs an agent answered (their `agent_id`) with an answer time in the window.
 */
export async function agentStatusTimes(db: Db, query: StatusTimesQuery, now: number = Date.now()): Promise<AgentStatusTimes[]> {
  const parsed = statusTimesQuerySchema.parse(query);
  const fromMs = Date.parse(parsed.from);
  const untilMs = Date.parse(parsed.until);
  const from = new Date(fromMs).toISOString();
  const until = new Date(untilMs).toISOString();
  const endMs = Math.min(now, untilMs);

  const agentRows = await db
    .select({ agentId: agents.id, userId: agents.userId, firstName: users.firstName, lastName: users.lastName })
    .from(agents)
    .innerJoin(users, eq(users.id, agents.userId))
    .where(parsed.agent_id ? eq(agents.id, parsed.agent_id) : undefined)
    .orderBy(asc(users.firstName), asc(users.lastName));
  if (parsed.agent_id && agentRows.length === 0) throw notFound("Agent", parsed.agent_id);
  const answered = await answeredCallsByAgent(db, from, until);
  const times: AgentStatusTimes[] = [];
  for (const agent of agentRows) {
    const durations: Durations = { byStatus: { logged_out: 0, available: 0, paused: 0, on_call: 0, wrap_up: 0 }, byReason: {} };
    const add = (status: AgentStatus, reason: string | null, startMs: number, stopMs: number) => {
      const start = Math.max(startMs, fromMs);
      const stop = Math.min(stopMs, endMs);
      if (stop <= start) return;
      durations.byStatus[status] += stop - start;
      if (status === "paused") {
        const key = reason || unspecifiedPauseReason;
        durations.byReason[key] = (durations.byReason[key] ?? 0) + (stop - start);
      }
    };
    const [before] = await db
      .select()
      .from(agentStateHistory)
      .where(and(eq(agentStateHistory.agentId, agent.agentId), lt(agentStateHistory.at, from)))
      .orderBy(desc(agentStateHistory.at), desc(agentStateHistory.id))
      .limit(1);
    const changes = await db
      .select()
      .from(agentStateHistory)
      .where(and(eq(agentStateHistory.agentId, agent.agentId), gte(agentStateHistory.at, from), lt(agentStateHistory.at, until)))
      .orderBy(asc(agentStateHistory.at), asc(agentStateHistory.id));
    let state = { status: (before?.status ?? "logged_out") as AgentStatus, reason: before?.pauseReason ?? null, since: fromMs };
    for (const change of changes) {
      const at = Date.parse(change.at);
      add(state.status, state.reason, state.since, at);
      state = { status: change.status, reason: change.pauseReason, since: at };
    }
    add(state.status, state.reason, state.since, endMs);

    const { byStatus } = durations;
    times.push({
      agent_id: agent.agentId,
      user_id: agent.userId,
      name: `${agent.firstName} ${agent.lastName}`.trim(),
      logged_in_s: toSeconds(byStatus.available + byStatus.paused + byStatus.on_call + byStatus.wrap_up),
      available_s: toSeconds(byStatus.available),
      paused_s: toSeconds(byStatus.paused),
      on_call_s: toSeconds(byStatus.on_call),
      wrap_up_s: toSeconds(byStatus.wrap_up),
      paused_by_reason: Object.fromEntries(Object.entries(durations.byReason).map(([reason, ms]) => [reason, toSeconds(ms)])),
      answered_calls: answered.get(agent.agentId) ?? 0,
    });
  }
  return times;
}

/** Raw SQL reading inside the CDR documents, one statement per dialect (json_extract on SQLite, jsonb on PostgreSQL). */
async function answeredCallsByAgent(db: Db, from: string, until: string): Promise<Map<string, number>> {
  // A leg ends after it is answered and starts before: the indexed `ended_at` and plain `started_at` skip most rows before any JSON is read.
  if (isPostgres(db)) {
    const { rows } = await db.$client.query<{ agentId: string; n: number }>(
      `select document::jsonb ->> 'agent_id' as "agentId", count(*) as n from cdrs
       where ended_at >= $1 and started_at < $2 and document::jsonb ->> 'agent_id' is not null
         and document::jsonb ->> 'answered_at' >= $1 and document::jsonb ->> 'answered_at' < $2
       group by 1`,
      [from, until],
    );
    return new Map(rows.map((r) => [r.agentId, r.n]));
  }
  const rows = db.$client
    .prepare(
      `select json_extract(document, '$.agent_id') as agentId, count(*) as n from cdrs
       where ended_at >= ? and started_at < ? and json_extract(document, '$.agent_id') is not null
         and json_extract(document, '$.answered_at') >= ? and json_extract(document, '$.answered_at') < ?
       group by 1`,
    )
    .all(from, until, from, until) as { agentId: string; n: number }[];
  return new Map(rows.map((r) => [r.agentId, r.n]));
}

/** Milliseconds to add to UTC to get the wall-clock time in `timeZone` at `instant`. */
function zoneOffsetMs(timeZone: string, instant: number): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" })
      .formatToParts(instant)
      .map((p) => [p.type, p.value]),
  );
  const wallClock = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second);
  return wallClock - Math.floor(instant / 1000) * 1000;
}

/** Refuses a time zone this Node's Intl does not know, naming the field. */
export function assertTimeZone(timeZone: string): void {
  try {
    new Intl.DateTimeFormat("en", { timeZone });
  } catch {
    throw new ServiceError("invalid", `Unknown time zone ${timeZone}`, { field: "timeZone", messageKey: "operations.errors.invalidValue" });
  }
}

/** The calendar day (`2026-03-29`) an instant falls on in `timeZone`. */
export function dayIn(instant: number, timeZone: string): string {
  // en-CA formats dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(instant);
}

/** The instant a calendar day (`2026-03-29`) starts in `timeZone`, correct across DST changes. */
export function startOfDayIn(day: string, timeZone: string): number {
  const midnightUtc = Date.parse(`${day}T00:00:00Z`);
  let instant = midnightUtc - zoneOffsetMs(timeZone, midnightUtc);
  instant = midnightUtc - zoneOffsetMs(timeZone, instant);
  return instant;
}

const nextDay = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

export interface DailyStatusReport {
  /** The whole window: `GET /agents/status-times?from&until` with these returns `totals`. */
  from: string;
  until: string;
  days: Array<{ day: string; from: string; until: string; items: AgentStatusTimes[] }>;
  totals: AgentStatusTimes[];
}

/** Time in state per agent and calendar day (in the viewer's time zone): `agentStatusTimes` once per day, and for the whole window. */
export async function agentDailyReport(db: Db, query: DailyReportQuery, now: number = Date.now()): Promise<DailyStatusReport> {
  const { fromDay, untilDay, timeZone, agent_id } = dailyReportQuerySchema.parse(query);
  assertTimeZone(timeZone);
  const days: DailyStatusReport["days"] = [];
  for (let day = fromDay; day <= untilDay; day = nextDay(day)) {
    const from = new Date(startOfDayIn(day, timeZone)).toISOString();
    const until = new Date(startOfDayIn(nextDay(day), timeZone)).toISOString();
    days.push({ day, from, until, items: await agentStatusTimes(db, { from, until, agent_id }, now) });
  }
  const from = days[0].from;
  const until = days[days.length - 1].until;
  return { from, until, days, totals: await agentStatusTimes(db, { from, until, agent_id }, now) };
}
