/**
 * Test harness for public API operations: a migrated temp database (createTestDb), a runtime
 * on a manual clock, a technical user, and `callApi`, which sends the request
 * over loopback HTTP to the production server's API listener (Node's
 * req/res, `nodeServer.ts`) — or, with `transport: "route"`, invokes the App
 * Router route handler directly as Next would — and checks every response
 * against the operation's documented contract (status listed, body matching
 * its schema, errors as problem+json).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { expect } from "vitest";
import type { z } from "zod";
import { ManualClock } from "@/flows/runtime/testing/manualClock";
import { createTestDb, type TestDb } from "@/tests/helpers/db";
import type { Db } from "@/server/db/client";
import { installRuntimeForTests, Runtime } from "@/server/runtime";
import { seedDemo } from "@/server/services/demo";
import { createTechnicalUser } from "@/server/services/technicalUsers";
import type { ApiScope } from "@/lib/scopes";
import { resetAuthCachesForTests } from "../auth";
import { resetRateLimiterForTests, type RouteHandler } from "../operation";
import { problemSchema } from "../schemas/common";
import { I18N_KEY } from "../problem";
import { setRestSettingsForTests, type RestSettings } from "../settings";
import { resetTokenKeyForTests } from "../tokens";
import { documentedStatuses } from "../openapi";
import { serveOperation } from "../nodeServer";

export interface ApiTestContext {
  db: Db;
  dir: string;
  clock: ManualClock;
  runtime: Runtime;
  /** A runtime store for this database (a restarted runtime: `new Runtime({ data })`). */
  runtimeStore: TestDb["runtimeStore"];
  /** What the runtime recorded is committed (TestDb.durable). */
  durable: TestDb["durable"];
  /** `Basic …` header of a technical user with every scope. */
  auth: string;
  clientId: string;
  clientSecret: string;
  technicalUserId: string;
  /** Another technical user with exactly these scopes. */
  technicalUser(options?: { scopes?: ApiScope[]; ipAllowlist?: string[] }): Promise<{ id: string; auth: string; clientId: string; clientSecret: string }>;
  cleanup(): Promise<void>;
}

const silent = { debug() {}, info() {}, warn() {}, error() {} };

export function basicAuth(clientId: string, clientSecret: string): string {
  return `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString("base64")}`;
}

/**
 * `demo`: seed the demo organisation (reception flow on +3612345678, extensions 101–105).
 * The clock starts on a Tuesday at 10:00 Budapest time unless `now` is given.
 */
export async function setupApiTest(options: { demo?: boolean; now?: string; settings?: Partial<RestSettings> } = {}): Promise<ApiTestContext> {
  process.env.SWITCHBOARD_SECRET ??= "test-secret-for-api-tokens-0123456789";
  resetTokenKeyForTests();
  resetAuthCachesForTests();
  resetRateLimiterForTests();
  setRestSettingsForTests({ API_RATE_LIMIT_PER_S: 1000, API_RATE_LIMIT_BURST: 100_000, ...options.settings });
  const { db, dir, runtimeStore, durable, cleanup } = await createTestDb();
  if (options.demo) await seedDemo(db);
  const clock = new ManualClock(options.now ?? "2026-11-24T09:00:00.000Z");
  const runtime = new Runtime({ data: await runtimeStore(), recordingsDir: path.join(dir, "recordings"), logger: silent, clock });
  installRuntimeForTests(runtime);
  const technicalUser: ApiTestContext["technicalUser"] = async ({ scopes, ipAllowlist } = {}) => {
    const { technicalUser: created, clientSecret } = await createTechnicalUser(db, { name: `test ${Math.random()}`, scopes, ipAllowlist });
    return { id: created.id, clientId: created.clientId, clientSecret, auth: basicAuth(created.clientId, clientSecret) };
  };
  const main = await technicalUser();
  return {
    db,
    dir,
    clock,
    runtime,
    runtimeStore,
    durable,
    auth: main.auth,
    clientId: main.clientId,
    clientSecret: main.clientSecret,
    technicalUserId: main.id,
    technicalUser,
    cleanup: async () => {
      runtime.shutdown();
      installRuntimeForTests(undefined);
      setRestSettingsForTests(undefined);
      await cleanup();
    },
  };
}

export interface ApiCall {
  params?: Record<string, string>;
  query?: Record<string, string>;
  /** Sent as JSON unless `rawBody` is given (both as application/json unless `headers` say otherwise). */
  body?: unknown;
  rawBody?: string;
  /** Authorization header; pass `null` for none. Defaults to `ctx.auth`. */
  auth?: string | null;
  headers?: Record<string, string>;
  /** `node` (default): through the production server's listener; `route`: the App Router route handler (what `next dev` serves). */
  transport?: "node" | "route";
}

export interface ApiResult {
  status: number;
  headers: Headers;
  /** Parsed JSON (or null for an empty body). */
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** Invokes a route handler like Next would, then asserts the response keeps the documented contract. */
export async function callApi(ctx: Pick<ApiTestContext, "auth">, handler: RouteHandler, call: ApiCall = {}): Promise<ApiResult> {
  const operation = handler.operation;
  const params = call.params ?? {};
  const pathname = operation.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? ""));
  const url = new URL(`http://localhost/api/v1${pathname}`);
  for (const [key, value] of Object.entries(call.query ?? {})) url.searchParams.set(key, value);
  const headers = new Headers(call.headers);
  const auth = call.auth === undefined ? ctx.auth : call.auth;
  if (auth !== null) headers.set("authorization", auth);
  let body: string | undefined = call.rawBody;
  if (body === undefined && call.body !== undefined) body = JSON.stringify(call.body);
  if (body !== undefined && !headers.has("content-type")) headers.set("content-type", "application/json");
  const response =
    call.transport === "route"
      ? await handler(new Request(url, { method: operation.method, headers, body }), { params: Promise.resolve(params) })
      : await callOverNode(handler, params, url, { method: operation.method, headers, body });
  const text = await response.text();
  const result: ApiResult = { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
  expectContract(handler, result);
  return result;
}

// One loopback server per test file; each request names the call it belongs to, so operations defined by a test
// (not in the registry) run too. The router in front of it has its own tests (nodeServer.test.ts). The
// peer-address stamp is not installed here, so tests can set that header.
const CALL_HEADER = "x-test-call";
const pendingCalls = new Map<string, { handler: RouteHandler; params: Record<string, string> }>();
let listener: Promise<string> | undefined;

function listenerOrigin(): Promise<string> {
  listener ??= new Promise((resolve) => {
    // Hostile path values run to tens of kilobytes; what is under test is the operation, not Node's 16 KB request-line limit.
    const server = http.createServer({ maxHeaderSize: 1024 * 1024 }, (req, res) => {
      const call = pendingCalls.get(String(req.headers[CALL_HEADER]));
      if (!call) throw new Error("a request without its call");
      void serveOperation(call.handler, req, res, call.params);
    });
    server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
    server.unref();
  });
  return listener;
}

async function callOverNode(handler: RouteHandler, params: Record<string, string>, url: URL, init: { method: string; headers: Headers; body?: string }): Promise<Response> {
  const id = crypto.randomUUID();
  pendingCalls.set(id, { handler, params });
  init.headers.set(CALL_HEADER, id);
  try {
    return await fetch(`${await listenerOrigin()}${url.pathname}${url.search}`, init);
  } finally {
    pendingCalls.delete(id);
  }
}

/** The response's status is documented for the operation and its body validates against the documented schema. */
export function expectContract(handler: RouteHandler, result: ApiResult): void {
  const operation = handler.operation;
  expect(documentedStatuses(operation), `${operation.operationId} answered an undocumented ${result.status}`).toContain(result.status);
  const success = operation.status ?? 200;
  if (result.status === success || operation.alsoReturns?.includes(result.status as 200)) {
    if (success === 204) expect(result.body).toBeNull();
    else if (operation.response) expectSchema(operation.response, result.body, operation.operationId);
    return;
  }
  expect(result.headers.get("content-type")).toBe("application/problem+json");
  expectSchema(problemSchema, result.body, operation.operationId);
  expect(result.body.status).toBe(result.status);
  expectWrittenForPeople(result.body, operation.operationId);
}

/** A problem a CRM developer can read: a `code`, and `detail` and every field message in words — never empty, never an i18n key. */
export function expectWrittenForPeople(problem: { code?: unknown; detail?: unknown; errors?: { code?: unknown; message?: unknown; path?: unknown }[] }, where: string): void {
  const readable = (text: unknown) => typeof text === "string" && text.trim() !== "" && !I18N_KEY.test(text.trim());
  expect(problem.code, `${where}: problem without a code`).toEqual(expect.any(String));
  expect(readable(problem.detail), `${where}: detail ${JSON.stringify(problem.detail)} is not written for people`).toBe(true);
  for (const error of problem.errors ?? []) {
    expect(error.code, `${where}: field error at ${String(error.path)} without a code`).toEqual(expect.any(String));
    expect(readable(error.message), `${where}: message ${JSON.stringify(error.message)} at ${String(error.path)} is not written for people`).toBe(true);
  }
}

function expectSchema(schema: z.ZodType, value: unknown, where: string): void {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new Error(`${where}: response does not match its schema: ${JSON.stringify(parsed.error.issues.slice(0, 5))}\n${JSON.stringify(value).slice(0, 2000)}`);
}
