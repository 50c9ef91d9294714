import type { CallInfo, Clock, Logger, LookupResult } from "@/flows/runtime/ports";
import { TemplateError } from "@/flows/templates/errors";
import { outboxId } from "./ids";
import type { Db } from "../db/client";
import type { OutboundApi } from "./catalog";
import type { LookupBreakers } from "../runtime/registry";
import { CircuitBreaker } from "./circuitBreaker";
import { FrozenEvent, lookupEvent, type ContactCard } from "./events";
import type { ErrorClass, HttpSender, OutboundResult } from "./httpSender";
import { buildLookupRequest, lookupSteps, type LookupRequestLine } from "./request";
import { applyResponseMapping, type MappedReply } from "./responseMapping";
import { attemptError } from "./retryPolicy";
import { deliveryStoreFor, type AttemptRow, type DeliveryStore } from "./deliveryStore";

/** A refused connection is retried after this pause, while the budget lasts. */
const REFUSED_RETRY_PAUSE_MS = 100;
const LOOKUP_REPLY_LIMIT = 256 * 1024;

export type Failure = { class: ErrorClass; message: string };

/** One request of a chain as it went: what was sent (credentials masked, when asked for), each attempt, and what the mapping read. */
export interface LookupStepRun {
  request: { method: string; url: string; headers: Record<string, string>; body: string } | null;
  attempts: OutboundResult[];
  mapped: MappedReply | null;
  /** What this step decided: go on, the chain's answer, or a failure. */
  outcome: "next" | "found" | "not_found" | "failed";
  error: Failure | null;
}

export interface LookupChainRun {
  outcome: { result: LookupResult } | { failure: Failure };
  steps: LookupStepRun[];
}

/** What the steps have read so far; later steps override earlier ones field by field. */
interface Gathered {
  extension?: string;
  owner?: string;
  contact: ContactCard;
  variables?: Record<string, unknown>;
  fields: Record<string, string>;
}

/**
 * Runs a look-up's chain of requests (1 to MAX_LOOKUP_STEPS) within one
 * deadline, the node's budget: each step renders its request over the call
 * and the fields the earlier steps mapped, and may end the chain — a 404, an
 * empty reply or a reply the mapping reads nothing from means `not_found`;
 * any failure (template, network, status, budget) means the fallback.
 * The last step's mapping decides the answer; an `owner_user_id` goes
 * through the API's user map, and an owner missing from it is `not_found`
 * with the contact still known.
 */
export async function runLookupChain(
  api: OutboundApi,
  event: FrozenEvent,
  webhookId: string,
  options: { sender: HttpSender; clock: Clock; deadline: number; report?: boolean; maxBodyBytes?: number },
): Promise<LookupChainRun> {
  const steps: LookupStepRun[] = [];
  const gathered: Gathered = { contact: {}, fields: {} };
  const lines = lookupSteps(api);
  for (const [index, line] of lines.entries()) {
    const step = await runStep(api, line, index === 0, event, webhookId, gathered.fields, options);
    steps.push(step);
    if (step.outcome === "failed") return { outcome: { failure: step.error ?? { class: "other", message: "the look-up failed" } }, steps };
    if (step.outcome === "not_found") return { outcome: { result: notFound(gathered, step.mapped) }, steps };
    gather(gathered, step.mapped);
    if (index === lines.length - 1) {
      const result = answer(api, gathered);
      step.outcome = result.status === "found" ? "found" : "not_found";
      return { outcome: { result }, steps };
    }
  }
  throw new Error("a look-up has at least one step");
}

async function runStep(
  api: OutboundApi,
  line: LookupRequestLine,
  first: boolean,
  event: FrozenEvent,
  webhookId: string,
  fields: Record<string, string>,
  options: { sender: HttpSender; clock: Clock; deadline: number; report?: boolean; maxBodyBytes?: number },
): Promise<LookupStepRun> {
  const { clock, sender, deadline } = options;
  const step: LookupStepRun = { request: null, attempts: [], mapped: null, outcome: "failed", error: null };
  let request;
  try {
    const now = clock.now();
    request = buildLookupRequest(api, line, first, event, webhookId, now, fields);
    if (options.report) {
      const shown = buildLookupRequest(api, line, first, event, webhookId, now, fields, { redact: true });
      step.request = { method: shown.method, url: shown.url, headers: shown.headers, body: shown.body };
    }
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    step.error = { class: "template", message: error.message };
    return step;
  }
  for (;;) {
    const now = clock.now();
    if (deadline - now <= 0) {
      step.error = { class: "timeout", message: "the look-up's time budget ran out before this step" };
      return step;
    }
    const result = await sender.send({ ...request, timeoutMs: deadline - now }, { maxBodyBytes: options.maxBodyBytes ?? LOOKUP_REPLY_LIMIT });
    step.attempts.push(result);
    const refused = result.error?.class === "connection_refused";
    if (!refused || deadline - clock.now() <= REFUSED_RETRY_PAUSE_MS) break;
    await new Promise<void>((resolve) => clock.setTimeout(resolve, REFUSED_RETRY_PAUSE_MS));
  }
  const last = step.attempts[step.attempts.length - 1];
  if (last.response?.status === 404) {
    step.outcome = "not_found";
    return step;
  }
  const error = attemptError(last);
  if (error) {
    step.error = error;
    return step;
  }
  const body = last.response?.body.trim() ?? "";
  if (body === "") {
    step.outcome = "not_found";
    return step;
  }
  let reply: unknown;
  try {
    reply = JSON.parse(body);
  } catch {
    step.error = { class: "bad_response", message: "the reply is not valid JSON" };
    return step;
  }
  step.mapped = applyResponseMapping(line.response_mapping, reply);
  step.outcome = step.mapped.matched ? "next" : "not_found";
  return step;
}

/** Later steps see every value read so far as `fields.<name>`: the named fields and the standard ones (`contact_id`, `owner_user_id`, …). */
function gather(gathered: Gathered, mapped: MappedReply | null): void {
  if (!mapped) return;
  if (mapped.extension) gathered.extension = gathered.fields.extension = mapped.extension;
  if (mapped.owner_user_id) gathered.owner = gathered.fields.owner_user_id = mapped.owner_user_id;
  Object.assign(gathered.contact, mapped.contact);
  for (const [key, value] of Object.entries(mapped.contact ?? {})) gathered.fields[`contact_${key}`] = value;
  if (mapped.variables) gathered.variables = { ...gathered.variables, ...mapped.variables };
  Object.assign(gathered.fields, mapped.fields);
}

function contactOf(gathered: Gathered): { contact?: ContactCard } {
  return Object.keys(gathered.contact).length > 0 ? { contact: { ...gathered.contact } } : {};
}

/** A later step found nothing: what the earlier ones learned (the contact) is still worth knowing. */
function notFound(gathered: Gathered, mapped: MappedReply | null): LookupResult {
  const variables = { ...gathered.variables, ...mapped?.variables };
  return { status: "not_found", ...contactOf(gathered), ...(Object.keys(variables).length > 0 ? { variables } : {}) };
}

function answer(api: OutboundApi, gathered: Gathered): LookupResult {
  const userMap = api.config.kind === "data_lookup" ? api.config.user_map : [];
  const extension = gathered.extension ?? (gathered.owner ? userMap.find((entry) => entry.crm_user_id === gathered.owner)?.extension : undefined);
  const variables = gathered.variables ? { variables: gathered.variables } : {};
  if (!extension && (gathered.owner || Object.keys(gathered.contact).length === 0)) return { status: "not_found", ...contactOf(gathered), ...variables };
  return { status: "found", ...(extension ? { extension } : {}), ...contactOf(gathered), ...variables };
}

/** What a failed look-up answers: the `error` branch, or `not_found` with the configured variables. */
export function lookupFallback(api: OutboundApi, failure: Failure): LookupResult {
  if (api.config.kind === "data_lookup" && api.config.fallback.branch === "not_found") {
    return { status: "not_found", variables: { ...api.config.fallback.variables } };
  }
  return { status: "error", error: failure.class === "timeout" ? "timeout" : failure.message };
}

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
  private readonly store: DeliveryStore;
  /** Log writes still running (tests wait for them). */
  private readonly logging = new Set<Promise<void>>();

  constructor(
    private readonly options: { db: Db; clock: Clock; sender: HttpSender; logger: Logger; breakerThreshold?: number; breakerOpenMs?: number },
  ) {
    this.store = deliveryStoreFor(options.db);
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

  /** The breakers not closed now, by outbound API id: what the runtime publishes for processes without one (registry.ts). */
  unclosedBreakers(): LookupBreakers {
    const unclosed: LookupBreakers = {};
    for (const [apiId, breaker] of this.breakers) {
      const state = breaker.state;
      if (state !== "closed") unclosed[apiId] = state;
    }
    return unclosed;
  }

  async lookup(api: OutboundApi, call: CallInfo, nodeId: string, variables: Record<string, unknown>): Promise<LookupResult> {
    if (api.config.kind !== "data_lookup") return { status: "error", error: `outbound API ${api.id} is not a data look-up` };
    const { clock, sender } = this.options;
    const createdAt = clock.now();
    const event = FrozenEvent.of(lookupEvent(call, nodeId, variables, new Date(createdAt).toISOString()));
    const messageId = outboxId("message");
    const breaker = this.breakerOf(api.id);
    if (!breaker.allow()) {
      const failure: Failure = { class: "circuit_open", message: "the CRM failed repeatedly; look-ups are paused for a moment" };
      this.logLater(api, messageId, event, createdAt, [], failure);
      return lookupFallback(api, failure);
    }
    const run = await runLookupChain(api, event, messageId, { sender, clock, deadline: createdAt + api.config.timeout_ms });
    if ("failure" in run.outcome) breaker.failure();
    else breaker.success();
    const attempts = run.steps.flatMap((step) => step.attempts);
    this.logLater(api, messageId, event, createdAt, attempts, "failure" in run.outcome ? run.outcome.failure : null);
    return "failure" in run.outcome ? lookupFallback(api, run.outcome.failure) : run.outcome.result;
  }

  /** The caller gets the answer first; the log (a commit, sometimes a WAL checkpoint) is written right after. */
  private logLater(api: OutboundApi, messageId: string, event: FrozenEvent, createdAt: number, attempts: OutboundResult[], failure: Failure | null): void {
    const finishedAt = this.options.clock.now();
    const written = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.log(api, messageId, event, createdAt, attempts, failure, finishedAt))
      .finally(() => this.logging.delete(written));
    this.logging.add(written);
  }

  /** Resolves once every look-up answered so far is in the delivery log. */
  async logged(): Promise<void> {
    while (this.logging.size > 0) await Promise.all([...this.logging]);
  }

  private async log(api: OutboundApi, messageId: string, event: FrozenEvent, createdAt: number, attempts: OutboundResult[], failure: Failure | null, now: number): Promise<void> {
    const { logger } = this.options;
    const deliveryId = outboxId("delivery");
    const last = attempts[attempts.length - 1];
    const call = (event.event.data as { conversation_id?: string }).conversation_id ?? null;
    const attemptRows: AttemptRow[] = attempts.map((attempt, index) => {
      const error = attemptError(attempt);
      const { startedAt, latencyMs, response } = attempt;
      return [deliveryId, index + 1, startedAt, Math.round(latencyMs), response?.status ?? null, error?.class ?? null, error?.message ?? null, response?.body.slice(0, 4096) ?? null];
    });
    try {
      await this.store.transaction(async (tx) => {
        await tx.run("lookupMessage", [messageId, call, event.raw, createdAt]);
        await tx.run("lookupDelivery", [
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
        ]);
        await tx.insertAttempts(attemptRows);
      });
    } catch (error) {
      // The log must never turn a look-up answer into a failure.
      logger.error({ outboundApiId: api.id, error: (error as Error).message }, "could not log a look-up");
    }
    if (failure) logger.warn({ outboundApiId: api.id, messageId, errorClass: failure.class }, "look-up failed, fallback taken");
  }
}
