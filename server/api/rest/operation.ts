/**
 * One definition per public API operation. `defineOperation` returns the
 * Next route handler (with the definition attached as `.operation`, and the
 * same pipeline for Node's req/res as `.serveNode`), and the OpenAPI document
 * is generated from the same definitions — so the spec cannot drift from
 * what the handlers accept and return.
 *
 * Every request runs the same pipeline: authenticate → scope → rate limit →
 * path/query/body validation → (Idempotency-Key) → handler → JSON, with any
 * failure turned into problem+json and one log line per request. The
 * pipeline sees the request through `ApiRequest`, so the production server
 * (`server/http/server.ts`) runs it on Node's req/res without building a
 * fetch Request/Response pair (README, Performance), while `next dev` and the
 * tests run it behind the App Router route files.
 */
import { z } from "zod";
import type { ApiScope } from "@/lib/scopes";
import type { ApiTag } from "./openapi";
import { getDb, isPostgres, type Db } from "@/server/db/client";
import { componentLogger } from "@/server/logger";
import { authenticate, requireScope, type ApiPrincipal, type AuthMode } from "./auth";
import { ApiProblem, internalError, problemOf, storedProblem, validationDetail, zodFieldErrors } from "./problem";
import { MemoryTokenBuckets, PgTokenBuckets, type RateLimiter } from "./rateLimit";
import { readIdempotencyKey, requestFingerprint, withIdempotency, type StoredResponse } from "./idempotency";
import { restSettings } from "./settings";
import { readCappedBody } from "../../http/cappedBody";
import type http from "node:http";
import { nodeApiRequest, writeNode } from "./nodeTransport";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** What a handler may read of its request; a fetch `Request` is one. */
export interface ApiRequestInfo {
  readonly method: string;
  /** Absolute URL. */
  readonly url: string;
  readonly headers: { get(name: string): string | null; has(name: string): boolean };
}

/** The request as the pipeline reads it, from a fetch `Request` or from Node's `IncomingMessage`. */
export interface ApiRequest extends ApiRequestInfo {
  /** The body within `limit` bytes (empty when there is none), or null when it is larger. */
  readBody(limit: number): Promise<Buffer | null>;
}

export interface OperationContext<P, Q, B> {
  request: ApiRequestInfo;
  db: Db;
  principal: ApiPrincipal;
  params: P;
  query: Q;
  body: B;
}

/** A response with a status or headers other than the operation's default. */
export class Reply<T = unknown> {
  constructor(
    readonly body: T,
    readonly init: { status?: number; headers?: Record<string, string> } = {},
  ) {}
}

export function reply<T>(body: T, init: { status?: number; headers?: Record<string, string> } = {}): Reply<T> {
  return new Reply(body, init);
}

type Awaitable<T> = T | Promise<T>;

export interface OperationDefinition<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
  R extends z.ZodType = z.ZodType,
> {
  method: HttpMethod;
  /** OpenAPI path under /api/v1, e.g. `/flows/{id}`; the `{names}` match the route folder's `[names]`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: ApiTag;
  /** Scope the technical user needs; null: any authenticated technical user. */
  scope: ApiScope | null;
  auth?: AuthMode;
  params?: P;
  query?: Q;
  /** Validates the JSON body. Strict objects make unknown fields a 400. */
  body?: B;
  /** Documents the body when `body` is looser than the real rule (e.g. flow documents checked by parseFlowDocument). */
  bodyDocs?: z.ZodType;
  /** Accepts `Idempotency-Key` (creating POSTs). */
  idempotent?: boolean;
  /** Success status; 200 by default. */
  status?: 200 | 201 | 202 | 204;
  /** Other success statuses answered with the same body schema (e.g. 201 from a PUT that created). */
  alsoReturns?: Array<200 | 201 | 202>;
  /** Schema of the success body (omit for 204 or a non-JSON `responseContentType`). */
  response?: R;
  responseDescription?: string;
  /** For handlers that return a raw `Response` (e.g. audio); several when the request chooses (e.g. WAV or MP3). */
  responseContentType?: string | string[];
  /** Error statuses this operation can answer besides the common ones (400, 401, 403, 429, 500). */
  errors?: number[];
  handler: (context: OperationContext<z.output<P>, z.output<Q>, z.output<B>>) => Awaitable<z.input<R> | Reply<z.input<R>> | Response | void>;
}

export type RouteHandler = ((request: Request, context?: { params?: Promise<unknown> }) => Promise<Response>) & {
  operation: OperationDefinition;
  /** The same operation on Node's req/res, path parameters already matched (absent: the route handler runs behind a fetch adapter). */
  serveNode?: (req: http.IncomingMessage, res: http.ServerResponse, params: Record<string, string>) => Promise<void>;
};

export function isOperation(value: unknown): value is RouteHandler {
  return typeof value === "function" && "operation" in value;
}

const log = componentLogger("api");
/** Headers of every JSON answer of an operation (its own headers may override them). */
const API_RESPONSE_HEADERS: Readonly<Record<string, string>> = { "cache-control": "no-store" };
const emptyObject = z.strictObject({});
const bodyMethods = new Set<HttpMethod>(["POST", "PUT", "PATCH"]);

// One limiter per process, shared by every route handler bundle (each has its own copy of this module):
// a technical user's budget is theirs across all operations, not per route. On PostgreSQL the buckets are
// rows every process shares; on SQLite (one process) they stay in memory (rateLimit.ts says why).
const globalForLimiter = globalThis as unknown as { switchboardRateLimiter?: RateLimiter };
function rateLimiter(db: Db): RateLimiter {
  const { API_RATE_LIMIT_PER_S: ratePerS, API_RATE_LIMIT_BURST: burst } = restSettings();
  globalForLimiter.switchboardRateLimiter ??= isPostgres(db) ? new PgTokenBuckets(db.$client, ratePerS, burst) : new MemoryTokenBuckets(ratePerS, burst);
  return globalForLimiter.switchboardRateLimiter;
}

export function resetRateLimiterForTests(): void {
  globalForLimiter.switchboardRateLimiter = undefined;
}

export function defineOperation<P extends z.ZodType = typeof emptyObject, Q extends z.ZodType = typeof emptyObject, B extends z.ZodType = typeof emptyObject, R extends z.ZodType = z.ZodVoid>(
  definition: OperationDefinition<P, Q, B, R>,
): RouteHandler {
  const operation = definition as unknown as OperationDefinition;
  const route = async (request: Request, context?: { params?: Promise<unknown> }): Promise<Response> => {
    const apiRequest: ApiRequest = { method: request.method, url: request.url, headers: request.headers, readBody: (limit) => readCappedBody(request, limit) };
    const started = performance.now();
    const { result, principal } = await run(operation, apiRequest, async () => ((await context?.params) ?? {}) as Record<string, string>);
    const response = toResponse(result);
    logRequest(request.method, new URL(request.url).pathname, response.status, started, principal);
    return response;
  };
  const serveNode = async (req: http.IncomingMessage, res: http.ServerResponse, params: Record<string, string>): Promise<void> => {
    const started = performance.now();
    const { result, principal } = await run(operation, nodeApiRequest(req), () => params);
    const status = await writeNode(req, res, result instanceof Response ? result : { ...result, headers: { ...API_RESPONSE_HEADERS, ...result.headers } });
    logRequest(req.method ?? "GET", (req.url ?? "/").split("?")[0], status, started, principal);
  };
  return Object.assign(route, { operation, serveNode });
}

/** The pipeline, whatever carries the request: a stored (JSON) response, a handler's own `Response`, or the problem any failure becomes. */
async function run(
  operation: OperationDefinition,
  request: ApiRequest,
  params: () => Awaitable<Record<string, string>>,
): Promise<{ result: StoredResponse | Response; principal: ApiPrincipal | null }> {
  const outcome: { principal: ApiPrincipal | null } = { principal: null };
  try {
    return { result: await execute(operation, request, params, outcome), principal: outcome.principal };
  } catch (error) {
    let problem = problemOf(error);
    if (!problem) {
      log.error({ err: error, operation: operation.operationId, technical_user_id: outcome.principal?.technicalUserId }, "API operation failed");
      problem = internalError();
    }
    return { result: storedProblem(problem), principal: outcome.principal };
  }
}

function logRequest(method: string, path: string, status: number, started: number, principal: ApiPrincipal | null): void {
  log.info({ method, path, status, ms: Math.round((performance.now() - started) * 10) / 10, technical_user_id: principal?.technicalUserId }, "api request");
}

async function execute(
  operation: OperationDefinition,
  request: ApiRequest,
  pathParams: () => Awaitable<Record<string, string>>,
  outcome: { principal: ApiPrincipal | null },
): Promise<StoredResponse | Response> {
  const db = getDb();
  const principal = await authenticate(db, request, operation.auth ?? "credentials");
  outcome.principal = principal;
  requireScope(principal, operation.scope);
  const retryAfter = await rateLimiter(db).take(principal.technicalUserId);
  if (retryAfter > 0) throw new ApiProblem(429, "Rate limit exceeded for this technical user", { headers: { "retry-after": String(retryAfter) } });

  const url = new URL(request.url);
  const params = validate(operation.params ?? emptyObject, await pathParams(), "path.");
  const query = validate(operation.query ?? emptyObject.strip(), Object.fromEntries(url.searchParams), "query.");
  const rawBody = bodyMethods.has(operation.method as HttpMethod) ? await readJsonBody(request) : undefined;
  const bodySchema = operation.body ?? emptyObject;
  if (rawBody === undefined && operation.body && !bodySchema.safeParse(undefined).success) {
    throw new ApiProblem(400, "This operation needs a JSON body", { errors: [{ path: "", code: "required", message: "Send a JSON body" }] });
  }
  const body = validate(bodySchema, rawBody ?? (operation.body ? undefined : {}), "");

  const produce = async (): Promise<StoredResponse | Response> => toStored(operation, await operation.handler({ request, db, principal, params, query, body }));
  const key = operation.idempotent ? readIdempotencyKey(request) : null;
  if (!key) return produce();
  const result = await withIdempotency(
    db,
    { technicalUserId: principal.technicalUserId, key, fingerprint: requestFingerprint(operation.method, url.pathname, rawBody) },
    async () => {
      const produced = await produce();
      return produced instanceof Response ? { status: produced.status, body: await produced.text(), headers: headersOf(produced) } : produced;
    },
  );
  const { replayed, ...stored } = result;
  return replayed ? { ...stored, headers: { ...stored.headers, "idempotent-replayed": "true" } } : stored;
}

function validate(schema: z.ZodType, value: unknown, prefix: string): unknown {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const errors = zodFieldErrors(parsed.error, prefix);
  throw new ApiProblem(400, validationDetail(prefix === "" ? "The request body is invalid" : `The ${prefix === "path." ? "path" : "query"} parameters are invalid`, errors), { errors });
}

/** Reads a JSON body within the size cap; `undefined` when there is none. */
async function readJsonBody(request: ApiRequest): Promise<unknown> {
  const max = restSettings().API_MAX_BODY_BYTES;
  const body = await request.readBody(max);
  if (body === null) throw new ApiProblem(413, `The body exceeds ${max} bytes`);
  if (body.length === 0) return undefined;
  const mediaType = (request.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
  if (mediaType !== "application/json" && !mediaType.endsWith("+json")) {
    throw new ApiProblem(415, "Send the body as application/json", { errors: [{ path: "header.Content-Type", code: "unsupported_media_type", message: "Must be application/json" }] });
  }
  const text = body.toString("utf8");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ApiProblem(400, `The body is not valid JSON: ${(error as Error).message}`, {
      code: "malformed_json",
      errors: [{ path: "", code: "malformed_json", message: "Not valid JSON" }],
    });
  }
}

function toStored(operation: OperationDefinition, result: unknown): StoredResponse | Response {
  if (result instanceof Response) return result;
  const { body, init } = result instanceof Reply ? result : { body: result, init: {} as Reply["init"] };
  const status = init.status ?? operation.status ?? 200;
  if (status === 204 || body === undefined) return { status: status === 200 && body === undefined ? 204 : status, body: "", headers: { ...init.headers } };
  return { status, body: JSON.stringify(body), headers: { "content-type": "application/json", ...init.headers } };
}

function toResponse(stored: StoredResponse | Response): Response {
  if (stored instanceof Response) return stored;
  return new Response(stored.status === 204 ? null : stored.body, { status: stored.status, headers: { ...API_RESPONSE_HEADERS, ...stored.headers } });
}

function headersOf(response: Response): Record<string, string> {
  return Object.fromEntries(response.headers.entries());
}
