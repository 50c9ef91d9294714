import { and, desc, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { Db } from "../db/client";
import { callTraces, cdrs, extensions, flows } from "../db/schema";
import type { Cdr } from "../pbx/cdr";
import type { CallView } from "../pbx/views";
import type { LiveCallRecord, LiveCallView } from "../live/liveCallViews";
import type { TraceStep } from "@/flows/runtime/context";
import { cdrQuerySchema, type Actor, type CdrQuery } from "@/lib/schemas/operations";
import { ServiceError, notFound } from "./errors";

/**
 * Call history (final CDRs, each carrying its partial legs) and live calls.
 * Admins and API clients see every call; a user sees the calls in which one
 * of their own extensions took part (caller, rung, answered, transferred or
 * forwarded, in any leg of the conversation).
 */

/** The extensions whose calls `actor` may see; null means all. */
export async function visibleExtensions(db: Db, actor: Actor): Promise<string[] | null> {
  if (actor.kind === "api" || actor.role === "admin") return null;
  return (await db
    .select({ number: extensions.number })
    .from(extensions)
    .where(eq(extensions.ownerUserId, actor.userId)))
    .map((e) => e.number);
}

/** Conversations in which one of `numbers` took part, in any of its CDRs. */
export function conversationWithExtension(numbers: string[]): SQL {
  const list = sql.join(
    numbers.map((n) => sql`${n}`),
    sql`, `,
  );
  // Correlated (table name spelled out), so the newest-first scan stops at the page size instead of sorting every match.
  return sql`exists (select 1 from cdrs c2 join cdr_extensions x on x.cdr_id = c2.cdr_id
    where c2.conversation_id = "cdrs"."conversation_id" and x.extension in (${list}))`;
}

export interface CdrPage {
  items: Cdr[];
  /** Pass back as `cursor` for the next (older) page; null on the last page. */
  next_cursor: string | null;
}

const badCursor = () => new ServiceError("invalid", "The cursor is not one this API returned", { field: "cursor", messageKey: "operations.errors.cursor" });

function encodeCursor(endedAt: string, cdrId: string): string {
  return Buffer.from(JSON.stringify([endedAt, cdrId])).toString("base64url");
}

function decodeCursor(cursor: string): [string, string] {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === "string")) return value as [string, string];
  } catch {
    // falls through to the error below
  }
  throw badCursor();
}

const isoOf = (value: string) => new Date(value).toISOString();

/**
 * API.md `GET /cdrs`: final CDRs of calls that ended in [from, until), newest
 * first. The cursor is the last row's (ended_at, cdr_id) key, so pages stay
 * stable while new calls are recorded: nothing is skipped or repeated.
 */
export async function listCdrs(db: Db, actor: Actor, query: CdrQuery = {}): Promise<CdrPage> {
  const q = cdrQuerySchema.parse(query);
  const visible = await visibleExtensions(db, actor);
  if (visible !== null && visible.length === 0) return { items: [], next_cursor: null };
  const conditions: Array<SQL | undefined> = [
    eq(cdrs.isFinal, true),
    q.from ? sql`${cdrs.endedAt} >= ${isoOf(q.from)}` : undefined,
    q.until ? sql`${cdrs.endedAt} < ${isoOf(q.until)}` : undefined,
    q.direction ? eq(cdrs.direction, q.direction) : undefined,
    q.disposition ? eq(cdrs.disposition, q.disposition) : undefined,
    q.extension ? conversationWithExtension([q.extension]) : undefined,
    visible ? conversationWithExtension(visible) : undefined,
  ];
  if (q.cursor) {
    const [endedAt, cdrId] = decodeCursor(q.cursor);
    conditions.push(sql`(${cdrs.endedAt}, ${cdrs.cdrId}) < (${endedAt}, ${cdrId})`);
  }
  const rows = await db
    .select({ document: cdrs.document, endedAt: cdrs.endedAt, cdrId: cdrs.cdrId })
    .from(cdrs)
    .where(and(...conditions))
    .orderBy(desc(cdrs.endedAt), desc(cdrs.cdrId))
    .limit(q.limit + 1);
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return { items: page.map((r) => r.document as Cdr), next_cursor: rows.length > q.limit && last ? encodeCursor(last.endedAt, last.cdrId) : null };
}

/** Which of these calls have a saved flow trace (the portal shows a "steps" button for them). */
export async function callsWithTrace(db: Db, callIds: string[]): Promise<string[]> {
  if (callIds.length === 0) return [];
  return (await db
    .select({ callId: callTraces.callId })
    .from(callTraces)
    .where(inArray(callTraces.callId, callIds)))
    .map((r) => r.callId);
}

async function canSeeConversation(db: Db, actor: Actor, conversationId: string): Promise<boolean> {
  const visible = await visibleExtensions(db, actor);
  if (visible === null) return true;
  if (visible.length === 0) return false;
  return Boolean(
    (await db
      .select({ id: cdrs.cdrId })
      .from(cdrs)
      .where(and(eq(cdrs.conversationId, conversationId), conversationWithExtension(visible))).limit(1))[0],
  );
}

export interface CallTraceView {
  call_id: string;
  conversation_id: string;
  flow_id: string | null;
  flow_name: string | null;
  revision: number | null;
  outcome: string;
  steps: TraceStep[];
}

/** The steps a call's flow took. A call the actor may not see is reported as missing, so its existence does not leak. */
export async function getCallTrace(db: Db, actor: Actor, callId: string): Promise<CallTraceView> {
  const [row] = await db
    .select({ trace: callTraces, flowName: flows.name })
    .from(callTraces)
    .leftJoin(flows, eq(flows.id, callTraces.flowId))
    .where(eq(callTraces.callId, callId)).limit(1);
  if (!row || !(await canSeeConversation(db, actor, row.trace.conversationId))) throw notFound("Call trace", callId);
  const { trace } = row;
  return {
    call_id: trace.callId,
    conversation_id: trace.conversationId,
    flow_id: trace.flowId,
    flow_name: row.flowName,
    revision: trace.revision,
    outcome: trace.outcome,
    steps: trace.steps as TraceStep[],
  };
}

/** Every extension a live call touches: caller, callee, and every leg's parties. */
function extensionsOfCall(call: CallView): string[] {
  return [
    call.caller.number,
    call.callee.number,
    ...call.legs.flatMap((leg) => [
      leg.requested.extension,
      ...(leg.requested.extensions ?? []),
      leg.answered_by?.extension,
      leg.transferred_by?.extension,
      leg.forwarded_from?.extension,
    ]),
  ].filter((e): e is string => Boolean(e));
}

/** Calls in progress that `actor` may see, oldest first: a user sees the calls their extensions ring in, talk in or took part in. */
export async function listLiveCalls(db: Db, records: LiveCallRecord[], actor: Actor): Promise<LiveCallView[]> {
  const visible = await visibleExtensions(db, actor);
  const mayShow = (extension: string) => visible === null || visible.includes(extension);
  return records
    .filter(({ call }) => call.status !== "ended")
    .filter(({ call, party_extensions }) => party_extensions.some(mayShow) || extensionsOfCall(call).some(mayShow))
    .map(({ call }) => call)
    .sort((a, b) => a.started_at.localeCompare(b.started_at));
}
