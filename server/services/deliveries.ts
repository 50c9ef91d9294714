import { deliveryFilterSchema, type DeliveryFilter } from "@/lib/schemas/integration";
import { systemClock } from "@/flows/runtime/clock";
import type { Clock } from "@/flows/runtime/ports";
import { and, asc, count, desc, eq, gt, gte, inArray, lt, sql, type SQL } from "drizzle-orm";
import type { Db } from "../db/client";
import { affectedRows } from "../db/transaction";
import { deliveries, deliveryAttempts, integrationMessages, outboundApis, type DeliveryStatus } from "../db/schema";
import { getIntegration } from "../integration";
import { notFound, ServiceError } from "./errors";

/**
 * The delivery log (API.md `GET /outbound-apis/{id}/deliveries`, `POST
 * /deliveries/{id}/resend`): messages per endpoint with their attempts,
 * manual resends, and the health each endpoint's banner shows.
 */
export interface DeliveryAttemptView {
  attempt: number;
  at: string;
  status_code: number | null;
  latency_ms: number;
  error_class: string | null;
  error: string | null;
  /** First 4 KB of the reply. */
  response_body: string | null;
}

export interface DeliveryView {
  id: string;
  /** The `webhook-id` the CRM sees (stable across retries). */
  message_id: string;
  outbound_api_id: string;
  outbound_api_name: string;
  event_type: string;
  conversation_id: string | null;
  status: DeliveryStatus;
  attempt_count: number;
  next_attempt_at: string | null;
  expires_at: string | null;
  last_status_code: number | null;
  last_error_class: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  attempts: DeliveryAttemptView[];
}

interface DeliveryRow {
  id: string;
  messageId: string;
  outboundApiId: string;
  outboundApiName: string;
  eventType: string;
  conversationId: string | null;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: number;
  expiresAt: number | null;
  lastStatusCode: number | null;
  lastErrorClass: string | null;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
}

interface AttemptRow {
  deliveryId: string;
  attemptNo: number;
  startedAt: number;
  latencyMs: number;
  statusCode: number | null;
  errorClass: string | null;
  error: string | null;
  responseBody: string | null;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** A delivery with its message and endpoint, in Drizzle's dialect-neutral form (the same query on SQLite and PostgreSQL). */
function selectDeliveries(db: Db) {
  return db
    .select({
      id: deliveries.id,
      messageId: deliveries.messageId,
      outboundApiId: deliveries.outboundApiId,
      outboundApiName: outboundApis.name,
      eventType: integrationMessages.eventType,
      conversationId: integrationMessages.conversationId,
      status: deliveries.status,
      attempts: deliveries.attempts,
      nextAttemptAt: deliveries.nextAttemptAt,
      expiresAt: deliveries.expiresAt,
      lastStatusCode: deliveries.lastStatusCode,
      lastErrorClass: deliveries.lastErrorClass,
      lastError: deliveries.lastError,
      createdAt: deliveries.createdAt,
      updatedAt: deliveries.updatedAt,
    })
    .from(deliveries)
    .innerJoin(integrationMessages, eq(integrationMessages.id, deliveries.messageId))
    .innerJoin(outboundApis, eq(outboundApis.id, deliveries.outboundApiId));
}

async function attemptsOf(db: Db, deliveryIds: string[]): Promise<Map<string, DeliveryAttemptView[]>> {
  const byDelivery = new Map<string, DeliveryAttemptView[]>();
  if (deliveryIds.length === 0) return byDelivery;
  const rows: AttemptRow[] = await db
    .select({
      deliveryId: deliveryAttempts.deliveryId,
      attemptNo: deliveryAttempts.attemptNo,
      startedAt: deliveryAttempts.startedAt,
      latencyMs: deliveryAttempts.latencyMs,
      statusCode: deliveryAttempts.statusCode,
      errorClass: deliveryAttempts.errorClass,
      error: deliveryAttempts.error,
      responseBody: deliveryAttempts.responseBody,
    })
    .from(deliveryAttempts)
    .where(inArray(deliveryAttempts.deliveryId, deliveryIds))
    .orderBy(asc(deliveryAttempts.id));
  for (const row of rows) {
    const list = byDelivery.get(row.deliveryId) ?? [];
    list.push({
      attempt: row.attemptNo,
      at: iso(row.startedAt),
      status_code: row.statusCode,
      latency_ms: row.latencyMs,
      error_class: row.errorClass,
      error: row.error,
      response_body: row.responseBody,
    });
    byDelivery.set(row.deliveryId, list);
  }
  return byDelivery;
}

function toView(row: DeliveryRow, attempts: DeliveryAttemptView[]): DeliveryView {
  const waiting = row.status === "pending" || row.status === "in_flight";
  return {
    id: row.id,
    message_id: row.messageId,
    outbound_api_id: row.outboundApiId,
    outbound_api_name: row.outboundApiName,
    event_type: row.eventType,
    conversation_id: row.conversationId,
    status: row.status,
    attempt_count: row.attempts,
    next_attempt_at: waiting ? iso(row.nextAttemptAt) : null,
    expires_at: row.expiresAt === null ? null : iso(row.expiresAt),
    last_status_code: row.lastStatusCode,
    last_error_class: row.lastErrorClass,
    last_error: row.lastError,
    created_at: iso(row.createdAt),
    updated_at: iso(row.updatedAt),
    attempts,
  };
}

/** Newest first, with their attempts. */
export async function listDeliveries(db: Db, input: DeliveryFilter): Promise<{ items: DeliveryView[]; total: number }> {
  const filter = deliveryFilterSchema.parse(input);
  const conditions: SQL[] = [];
  if (filter.outbound_api_id) conditions.push(eq(deliveries.outboundApiId, filter.outbound_api_id));
  if (filter.status) conditions.push(eq(deliveries.status, filter.status));
  if (filter.event_type) conditions.push(eq(integrationMessages.eventType, filter.event_type));
  if (filter.since) conditions.push(gte(deliveries.createdAt, Date.parse(filter.since)));
  if (filter.until) conditions.push(lt(deliveries.createdAt, Date.parse(filter.until)));
  const where = and(...conditions);
  const [{ total }] = await db
    .select({ total: count() })
    .from(deliveries)
    .innerJoin(integrationMessages, eq(integrationMessages.id, deliveries.messageId))
    .where(where);
  const rows: DeliveryRow[] = await selectDeliveries(db).where(where).orderBy(desc(deliveries.createdAt), desc(deliveries.id)).limit(filter.limit).offset(filter.offset);
  const attempts = await attemptsOf(db, rows.map((r) => r.id));
  return { items: rows.map((row) => toView(row, attempts.get(row.id) ?? [])), total };
}

export async function getDelivery(db: Db, id: string): Promise<DeliveryView & { payload: unknown }> {
  const [row]: DeliveryRow[] = await selectDeliveries(db).where(eq(deliveries.id, id)).limit(1);
  if (!row) throw notFound("delivery", id);
  const [message] = await db.select({ payload: integrationMessages.payload }).from(integrationMessages).where(eq(integrationMessages.id, row.messageId)).limit(1);
  return { ...toView(row, (await attemptsOf(db, [id])).get(id) ?? []), payload: JSON.parse(message.payload) };
}

/** Queued again from the start: same `webhook-id`, a fresh retry schedule, no TTL. */
function requeued(now: number) {
  return { status: "pending" as const, attempts: 0, nextAttemptAt: now, expiresAt: null, leaseUntil: null, updatedAt: now };
}

/**
 * Queues a delivery again, same `webhook-id`, with a fresh retry schedule.
 * Look-ups are answered during the call and cannot be resent; a delivery
 * still queued is left alone.
 */
export async function resendDelivery(db: Db, id: string, clock: Clock = systemClock): Promise<DeliveryView> {
  const current = await getDelivery(db, id);
  if (current.event_type === "call.lookup") {
    throw new ServiceError("precondition_failed", "a look-up is answered during the call and cannot be resent", { messageKey: "integration.errors.lookupResend" });
  }
  if (current.status === "pending" || current.status === "in_flight") {
    throw new ServiceError("conflict", "this delivery is already queued", { messageKey: "integration.errors.alreadyQueued" });
  }
  await db.update(deliveries).set(requeued(clock.now())).where(eq(deliveries.id, id));
  getIntegration()?.worker.wake();
  const { payload: _payload, ...view } = await getDelivery(db, id);
  return view;
}

/** Queues every dead or expired delivery created since `since` (of one endpoint, or all) again; returns how many. */
export async function resendFailedSince(db: Db, input: { since: string; outbound_api_id?: string }, clock: Clock = systemClock): Promise<{ resent: number }> {
  const since = Date.parse(input.since);
  if (Number.isNaN(since)) throw new ServiceError("invalid", "since must be an ISO 8601 time", { field: "since" });
  const result = await db
    .update(deliveries)
    .set(requeued(clock.now()))
    .where(
      and(
        inArray(deliveries.status, ["dead", "expired"]),
        gte(deliveries.createdAt, since),
        input.outbound_api_id ? eq(deliveries.outboundApiId, input.outbound_api_id) : undefined,
      ),
    );
  const resent = affectedRows(result);
  if (resent > 0) getIntegration()?.worker.wake();
  return { resent };
}

export interface EndpointHealth {
  outbound_api_id: string;
  name: string;
  kind: string;
  enabled: boolean;
  disabled_reason: string | null;
  /** Waiting to be sent (also while the endpoint is disabled: its queue is paused, not dropped). */
  queued: number;
  /** Queued deliveries that already failed at least once. */
  retrying: number;
  dead_24h: number;
  /** Messages of the last 24 hours whose latest attempt failed: retrying, dead, or failed look-ups. */
  failures_24h: number;
  last_success_at: string | null;
  last_failure_at: string | null;
  last_error_class: string | null;
  /** While failing: when the first message after the last success failed ("failing since yesterday 14:02"). */
  failing_since: string | null;
  /** The banner condition: disabled, or its latest attempt failed and something is retrying or died recently. */
  state: "ok" | "failing" | "disabled";
}

/** A delivery (of the table or alias `d`) whose latest attempt failed: given up (dead, a failed look-up) or waiting for its next retry. Expired notifications are not counted. */
const failed = (d: string) =>
  sql.raw(`(${d}.status in ('dead', 'failed') or (${d}.status in ('pending', 'in_flight') and ${d}.last_error_class is not null))`);

/** A correlated figure per endpoint: standard SQL, the same on both dialects (PostgreSQL's bigint counts and times are read as numbers, server/db/postgres.ts). */
const perEndpoint = <T>(query: SQL) => sql<T>`(${query})`;

export async function endpointHealth(db: Db, clock: Clock = systemClock): Promise<EndpointHealth[]> {
  const dayAgo = clock.now() - 86_400_000;
  const api = outboundApis.id;
  const rows = await db
    .select({
      id: outboundApis.id,
      name: outboundApis.name,
      kind: outboundApis.kind,
      enabled: outboundApis.enabled,
      disabledReason: outboundApis.disabledReason,
      queued: perEndpoint<number>(sql`select count(*) from deliveries d where d.outbound_api_id = ${api} and d.status in ('pending', 'in_flight')`),
      retrying: perEndpoint<number>(sql`select count(*) from deliveries d where d.outbound_api_id = ${api} and d.status in ('pending', 'in_flight') and d.attempts > 0`),
      dead24h: perEndpoint<number>(sql`select count(*) from deliveries d where d.outbound_api_id = ${api} and d.status in ('dead', 'failed') and d.updated_at >= ${dayAgo}`),
      failures24h: perEndpoint<number>(sql`select count(*) from deliveries d where d.outbound_api_id = ${api} and d.created_at >= ${dayAgo} and ${failed("d")}`),
      lastSuccess: perEndpoint<number | null>(sql`select max(t.started_at) from delivery_attempts t join deliveries d on d.id = t.delivery_id
            where d.outbound_api_id = ${api} and t.error_class is null`),
      lastFailure: perEndpoint<number | null>(sql`select max(t.started_at) from delivery_attempts t join deliveries d on d.id = t.delivery_id
            where d.outbound_api_id = ${api} and t.error_class is not null`),
      lastErrorClass: perEndpoint<string | null>(sql`select t.error_class from delivery_attempts t join deliveries d on d.id = t.delivery_id
            where d.outbound_api_id = ${api} order by t.id desc limit 1`),
    })
    .from(outboundApis)
    .orderBy(asc(outboundApis.name));
  // Walks the (endpoint, created_at) index from the last success on; asked only for failing endpoints.
  const firstFailureAfter = async (apiId: string, after: number): Promise<number | null> => {
    const [row] = await db
      .select({ first: sql<number | null>`min(${deliveries.createdAt})` })
      .from(deliveries)
      .where(and(eq(deliveries.outboundApiId, apiId), gt(deliveries.createdAt, after), failed("deliveries")));
    return row?.first ?? null;
  };
  return Promise.all(
    rows.map(async (row) => {
      const latestFailed = row.lastFailure !== null && (row.lastSuccess === null || row.lastFailure > row.lastSuccess);
      const state = !row.enabled ? "disabled" : latestFailed && (row.retrying > 0 || row.dead24h > 0) ? "failing" : "ok";
      const failingSince = state === "failing" ? await firstFailureAfter(row.id, row.lastSuccess ?? 0) : null;
      return {
        outbound_api_id: row.id,
        name: row.name,
        kind: row.kind,
        enabled: row.enabled,
        disabled_reason: row.disabledReason,
        queued: row.queued,
        retrying: row.retrying,
        dead_24h: row.dead24h,
        failures_24h: row.failures24h,
        last_success_at: row.lastSuccess === null ? null : iso(row.lastSuccess),
        last_failure_at: row.lastFailure === null ? null : iso(row.lastFailure),
        last_error_class: latestFailed ? row.lastErrorClass : null,
        failing_since: failingSince === null ? null : iso(failingSince),
        state,
      } satisfies EndpointHealth;
    }),
  );
}
