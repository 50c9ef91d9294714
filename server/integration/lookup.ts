import type { CallInfo, Clock, Logger, LookupResult } from "@/flows/runtime/ports";
import { TemplateError } from "@/flows/templates/errors";
import { outboxId } from "./ids";
import type { Db } from "../db/client";
import type { OutboundApi } from "./catalog";
import { CircuitBreaker } from "./circuitBreaker";
import { FrozenEvent, lookupEvent } from "./events";
import type { ErrorClass, HttpSender, OutboundResult } from "./httpSender";
import { buildRequest } from "./request";
import { applyResponseMapping } from "./responseMapping";
import { attemptError } from "./retryPolicy";

/** A refused connection is retried after this pause, while the budget lasts. */
const REFUSED_RETRY_PAUSE_MS = 100;
const LOOKUP_REPLY_LIMIT = 256 * 1024;

type Failure = { class: ErrorClass; message: string };

/**
 * The data look-up: one synchronous request within the endpoint's total
 * budget (its `timeout_ms`), retried only when the connection was refused
 * and time remains; a per-endpoint circuit breaker; any failure becomes the
 * configured fallback. The call never waits longer than the budget. Every
 * look-up is written to the delivery log (a `call.lookup` message whose
 * delivery is `succeeded` or `failed`, with its attempts).
 */
export class LookupClient {
  private readonly breakers = new Map<string, CircuitBreaker>();
  private readonly statements;

  constructor(
    private readonly options: { db: Db; clock: Clock; sender: HttpSender; logger: Logger; breakerThreshold?: number; breakerOpenMs?: number },
  ) {
    const sqlite = options.db.$client;
    this.statements = {
      message: sqlite.prepare(`insert into integration_messages (id, event_type, conversation_id, payload, created_at) values (?, 'call.lookup', ?, ?, ?)`),
      delivery: sqlite.prepare(
        `insert into deliveries (id, message_id, outbound_api_id, status, attempts, next_attempt_at, last_status_code, last_error_class, last_error, created_at, updated_at)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      attempt: sqlite.prepare(
        `insert into delivery_attempts (delivery_id, attempt_no, started_at, latency_ms, status_code, error_class, error, response_body) values (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
    };
  }

  breakerOf(apiId: string): CircuitBreaker {
    let breaker = this.breakers.get(apiId);
    if (!breaker) {
      breaker = new CircuitBreaker(this.options.clock, this.options.breakerThreshold, this.options.breakerOpenMs);
      this.breakers.set(apiId, breaker);
    }
    return breaker;
  }

  /** What the overview shows: an endpoint never asked has no breaker yet, and so none open. */
  breakerState(apiId: string): CircuitBreaker["state"] {
    return this.breakers.get(apiId)?.state ?? "closed";
  }

  async lookup(api: OutboundApi, call: CallInfo, nodeId: string, variables: Record<string, unknown>): Promise<LookupResult> {
    if (api.config.kind !== "data_lookup") return { status: "error", error: `outbound API ${api.id} is not a data look-up` };
    const { clock } = this.options;
    const createdAt = clock.now();
    const event = FrozenEvent.of(lookupEvent(call, nodeId, variables, new Date(createdAt).toISOString()));
    const messageId = outboxId("message");
    const breaker = this.breakerOf(api.id);
    if (!breaker.allow()) {
      const failure: Failure = { class: "circuit_open", message: "the CRM failed repeatedly; look-ups are paused for a moment" };
      this.logLater(api, messageId, event, createdAt, [], failure);
      return this.fallback(api, failure);
    }
    const attempts = await this.send(api, event, messageId, createdAt + api.config.timeout_ms);
    const last = attempts[attempts.length - 1];
    const outcome = this.interpret(api, last);
    if ("failure" in outcome) breaker.failure();
    else breaker.success();
    this.logLater(api, messageId, event, createdAt, attempts, "failure" in outcome ? outcome.failure : null);
    return "failure" in outcome ? this.fallback(api, outcome.failure) : outcome.result;
  }

  private async send(api: OutboundApi, event: FrozenEvent, messageId: string, deadline: number): Promise<OutboundResult[]> {
    const { clock, sender } = this.options;
    const attempts: OutboundResult[] = [];
    for (;;) {
      const now = clock.now();
      let result: OutboundResult;
      try {
        const request = { ...buildRequest(api, event, messageId, now), timeoutMs: Math.max(1, deadline - now) };
        result = await sender.send(request, { maxBodyBytes: LOOKUP_REPLY_LIMIT });
      } catch (error) {
        if (!(error instanceof TemplateError)) throw error;
        result = { startedAt: now, latencyMs: 0, response: null, error: { class: "template", message: error.message } };
      }
      attempts.push(result);
      const refused = result.error?.class === "connection_refused";
      if (!refused || deadline - clock.now() <= REFUSED_RETRY_PAUSE_MS) return attempts;
      await new Promise<void>((resolve) => clock.setTimeout(resolve, REFUSED_RETRY_PAUSE_MS));
    }
  }

  private interpret(api: OutboundApi, result: OutboundResult): { result: LookupResult } | { failure: Failure } {
    if (api.config.kind !== "data_lookup") throw new Error("unreachable");
    const error = attemptError(result);
    if (result.response?.status === 404) return { result: { status: "not_found" } };
    if (error) return { failure: error };
    const body = result.response?.body.trim() ?? "";
    if (body === "") return { result: { status: "not_found" } };
    let reply: unknown;
    try {
      reply = JSON.parse(body);
    } catch {
      return { failure: { class: "bad_response", message: "the reply is not valid JSON" } };
    }
    const mapped = applyResponseMapping(api.config.response_mapping, reply);
    if (!mapped.found) return { result: { status: "not_found", ...(mapped.variables ? { variables: mapped.variables } : {}) } };
    return { result: { status: "found", extension: mapped.extension, contact: mapped.contact, variables: mapped.variables } };
  }

  private fallback(api: OutboundApi, failure: Failure): LookupResult {
    if (api.config.kind === "data_lookup" && api.config.fallback.branch === "not_found") {
      return { status: "not_found", variables: { ...api.config.fallback.variables } };
    }
    return { status: "error", error: failure.class === "timeout" ? "timeout" : failure.message };
  }

  /** The caller gets the answer first; the log (a commit, sometimes a WAL checkpoint) is written right after. */
  private logLater(api: OutboundApi, messageId: string, event: FrozenEvent, createdAt: number, attempts: OutboundResult[], failure: Failure | null): void {
    const finishedAt = this.options.clock.now();
    setImmediate(() => this.log(api, messageId, event, createdAt, attempts, failure, finishedAt));
  }

  private log(api: OutboundApi, messageId: string, event: FrozenEvent, createdAt: number, attempts: OutboundResult[], failure: Failure | null, now: number): void {
    const { db, logger } = this.options;
    const deliveryId = outboxId("delivery");
    const last = attempts[attempts.length - 1];
    const call = (event.event.data as { conversation_id?: string }).conversation_id ?? null;
    try {
      db.$client.transaction(() => {
        this.statements.message.run(messageId, call, event.raw, createdAt);
        this.statements.delivery.run(
          deliveryId,
          messageId,
          api.id,
          failure ? "failed" : "succeeded",
          attempts.length,
          now,
          last?.response?.status ?? null,
          failure?.class ?? null,
          failure?.message ?? null,
          createdAt,
          now,
        );
        attempts.forEach((attempt, index) => {
          const error = attemptError(attempt);
          this.statements.attempt.run(
            deliveryId,
            index + 1,
            attempt.startedAt,
            Math.round(attempt.latencyMs),
            attempt.response?.status ?? null,
            error?.class ?? null,
            error?.message ?? null,
            attempt.response?.body.slice(0, 4096) ?? null,
          );
        });
      })();
    } catch (error) {
      // The log must never turn a look-up answer into a failure.
      logger.error({ outboundApiId: api.id, error: (error as Error).message }, "could not log a look-up");
    }
    if (failure) logger.warn({ outboundApiId: api.id, messageId, errorClass: failure.class }, "look-up failed, fallback taken");
  }
}
