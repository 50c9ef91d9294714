import { deliveryFilterSchema, type DeliveryFilter } from "@/lib/schemas/integration";
import { systemClock } from "@/flows/runtime/clock";
import type { Clock } from "@/flows/runtime/ports";
import type { Db } from "../db/client";
import { affectedRows } from "../db/transaction";
import type { DeliveryStatus } from "../db/schema";
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

const SELECT_DELIVERIES = `
  select d.id, d.message_id as messageId, d.outbound_api_id as outboundApiId, a.name as outboundApiName, m.event_type as eventType,
         m.conversation_id as conversationId, d.status, d.attempts, d.next_attempt_at as nextAttemptAt, d.expires_at as expiresAt,
         d.last_status_code as lastStatusCode, d.last_error_class as lastErrorClass, d.last_error as lastError,
         d.created_at as createdAt, d.updated_at as updatedAt
  from deliveries d join integration_messages m on m.id = d.message_id join outbound_apis a on a.id = d.outbound_api_id`;

function attemptsOf(db: Db, deliveryIds: string[]): Map<string, DeliveryAttemptView[]> {
  const byDelivery = new Map<string, DeliveryAttemptView[]>();
  if (deliveryIds.length === 0) return byDelivery;
  const rows = db.$client
    .prepare(
      `select delivery_id as deliveryId, attempt_no as attemptNo, started_at as startedAt, latency_ms as latencyMs, status_code as statusCode,
              error_class as errorClass, error, response_body as responseBody
       from delivery_attempts where delivery_id in (${deliveryIds.map(() => "?").join(",")}) order by id`,
    )
    .all(...deliveryIds) as AttemptRow[];
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
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (condition: string, value: unknown) => {
    where.push(condition);
    params.push(value);
  };
  if (filter.outbound_api_id) add("d.outbound_api_id = ?", filter.outbound_api_id);
  if (filter.status) add("d.status = ?", filter.status);
  if (filter.event_type) add("m.event_type = ?", filter.event_type);
  if (filter.since) add("d.created_at >= ?", Date.parse(filter.since));
  if (filter.until) add("d.created_at < ?", Date.parse(filter.until));
  const clause = where.length ? ` where ${where.join(" and ")}` : "";
  const total = db.$client
    .prepare(`select count(*) from deliveries d join integration_messages m on m.id = d.message_id${clause}`)
    .pluck()
    .get(...params) as number;
  const rows = db.$client
    .prepare(`${SELECT_DELIVERIES}${clause} order by d.created_at desc, d.id desc limit ? offset ?`)
    .all(...params, filter.limit, filter.offset) as DeliveryRow[];
  const attempts = attemptsOf(db, rows.map((r) => r.id));
  return { items: rows.map((row) => toView(row, attempts.get(row.id) ?? [])), total };
}

export async function getDelivery(db: Db, id: string): Promise<DeliveryView & { payload: unknown }> {
  const row = db.$client.prepare(`${SELECT_DELIVERIES} where d.id = ?`).get(id) as DeliveryRow | undefined;
  if (!row) throw notFound("delivery", id);
  const payload = db.$client.prepare(`select payload from integration_messages where id = ?`).pluck().get(row.messageId) as string;
  return { ...toView(row, attemptsOf(db, [id]).get(id) ?? []), payload: JSON.parse(payload) };
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
  const now = clock.now();
  db.$client
    .prepare(`update deliveries set status = 'pending', attempts = 0, next_attempt_at = ?, expires_at = null, lease_until = null, updated_at = ? where id = ?`)
    .run(now, now, id);
  getIntegration()?.worker.wake();
  const { payload: _payload, ...view } = await getDelivery(db, id);
  return view;
}

/** Queues every dead or expired delivery created since `since` (of one endpoint, or all) again; returns how many. */
export async function resendFailedSince(db: Db, input: { since: string; outbound_api_id?: string }, clock: Clock = systemClock): Promise<{ resent: number }> {
  const since = Date.parse(input.since);
  if (Number.isNaN(since)) throw new ServiceError("invalid", "since must be an ISO 8601 time", { field: "since" });
  const now = clock.now();
  const byApi = input.outbound_api_id ? " and outbound_api_id = ?" : "";
  const result = db.$client
    .prepare(
      `update deliveries set status = 'pending', attempts = 0, next_attempt_at = ?, expires_at = null, lease_until = null, updated_at = ?
       where status in ('dead', 'expired') and created_at >= ?${byApi}`,
    )
    .run(now, now, since, ...(input.outbound_api_id ? [input.outbound_api_id] : []));
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

/** A delivery whose latest attempt failed: given up (dead, a failed look-up) or waiting for its next retry. Expired notifications are not counted. */
const FAILED = `(d.status in ('dead', 'failed') or (d.status in ('pending', 'in_flight') and d.last_error_class is not null))`;

export async function endpointHealth(db: Db, clock: Clock = systemClock): Promise<EndpointHealth[]> {
  const dayAgo = clock.now() - 86_400_000;
  const rows = db.$client
    .prepare(
      `select a.id, a.name, a.kind, a.enabled, a.disabled_reason as disabledReason,
         (select count(*) from deliveries d where d.outbound_api_id = a.id and d.status in ('pending', 'in_flight')) as queued,
         (select count(*) from deliveries d where d.outbound_api_id = a.id and d.status in ('pending', 'in_flight') and d.attempts > 0) as retrying,
         (select count(*) from deliveries d where d.outbound_api_id = a.id and d.status in ('dead', 'failed') and d.updated_at >= ?) as dead24h,
         (select count(*) from deliveries d where d.outbound_api_id = a.id and d.created_at >= ? and ${FAILED}) as failures24h,
         (select max(t.started_at) from delivery_attempts t join deliveries d on d.id = t.delivery_id
            where d.outbound_api_id = a.id and t.error_class is null) as lastSuccess,
         (select max(t.started_at) from delivery_attempts t join deliveries d on d.id = t.delivery_id
            where d.outbound_api_id = a.id and t.error_class is not null) as lastFailure,
         (select t.error_class from delivery_attempts t join deliveries d on d.id = t.delivery_id
            where d.outbound_api_id = a.id order by t.id desc limit 1) as lastErrorClass
       from outbound_apis a order by a.name`,
    )
    .all(dayAgo, dayAgo) as Array<{
    id: string;
    name: string;
    kind: string;
    enabled: number;
    disabledReason: string | null;
    queued: number;
    retrying: number;
    dead24h: number;
    failures24h: number;
    lastSuccess: number | null;
    lastFailure: number | null;
    lastErrorClass: string | null;
  }>;
  // Walks the (endpoint, created_at) index from the last success on; asked only for failing endpoints.
  const firstFailureAfter = db.$client
    .prepare(`select min(d.created_at) from deliveries d where d.outbound_api_id = ? and d.created_at > ? and ${FAILED}`)
    .pluck();
  return rows.map((row) => {
    const latestFailed = row.lastFailure !== null && (row.lastSuccess === null || row.lastFailure > row.lastSuccess);
    const state = row.enabled !== 1 ? "disabled" : latestFailed && (row.retrying > 0 || row.dead24h > 0) ? "failing" : "ok";
    const failingSince = state === "failing" ? (firstFailureAfter.get(row.id, row.lastSuccess ?? 0) as number | null) : null;
    return {
      outbound_api_id: row.id,
      name: row.name,
      kind: row.kind,
      enabled: row.enabled === 1,
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
    };
  });
}
