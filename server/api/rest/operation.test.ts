import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { eq } from "drizzle-orm";
import { apiIdempotencyKeys } from "@/server/db/schema";
import { z } from "zod";
import { ServiceError } from "@/server/services/errors";
import { PbxError } from "@/server/pbx/errors";
import { callApi, setupApiTest, type ApiTestContext } from "./testing/harness";
import { defineOperation } from "./operation";
import { withIdempotency } from "./idempotency";
import { checkIfMatch, etagOf } from "./etag";
import { ApiProblem } from "./problem";

let ctx: ApiTestContext;
beforeEach(async () => {
  ctx = await setupApiTest({ settings: { API_MAX_BODY_BYTES: 1000 } });
});
afterEach(() => ctx.cleanup());

let thrown: unknown = null;
const echo = defineOperation({
  method: "POST",
  path: "/test/echo",
  operationId: "testEcho",
  summary: "test",
  tag: "Simulator",
  scope: null,
  body: z.strictObject({ name: z.string().max(10), count: z.number().int().optional() }),
  response: z.object({ name: z.string() }),
  errors: [404, 409, 412, 503],
  handler: ({ body }) => {
    if (thrown) throw thrown;
    return { name: body.name };
  },
});

describe("the request pipeline", () => {
  it.each([
    ["malformed JSON", { rawBody: '{"name": ' }, 400, "", "malformed_json"],
    ["a body that is not JSON", { rawBody: '{"name":"a"}', headers: { "content-type": "text/plain" } }, 415, "header.Content-Type", "unsupported_media_type"],
    ["no body at all", {}, 400, "", "required"],
    ["an unknown field", { body: { name: "a", colour: "red" } }, 400, "colour", "unknown_field"],
    ["a missing field", { body: { count: 1 } }, 400, "name", "required"],
    ["a wrong type", { body: { name: 42 } }, 400, "name", "invalid_type"],
    ["a too long string", { body: { name: "x".repeat(11) } }, 400, "name", "too_big"],
  ])("refuses %s with a problem naming the field and its code", async (_, call, status, path, code) => {
    const result = await callApi(ctx, echo, call);
    expect(result.status).toBe(status);
    expect(result.body.errors?.[0]).toMatchObject({ path, code });
  });

  it("refuses a body over the size cap with 413", async () => {
    const result = await callApi(ctx, echo, { rawBody: JSON.stringify({ name: "x".repeat(2000) }) });
    expect(result.status).toBe(413);
  });

  it("maps service and call-control errors to statuses, camelCase fields to snake_case, and hides unexpected ones", async () => {
    const cases: Array<[unknown, number]> = [
      [new ServiceError("not_found", "gone"), 404],
      [new ServiceError("conflict", "taken", { field: "externalId" }), 409],
      [new ServiceError("precondition_failed", "stale"), 412],
      [new PbxError("unavailable", "engine busy"), 503],
      [new PbxError("invalid", "bad"), 400],
      // As thrown by the runtime's own copy of the classes (Next bundles instrumentation and routes separately).
      [Object.assign(new Error("no active call c1"), { name: "PbxError", code: "not_found" }), 404],
      [Object.assign(new Error("taken"), { name: "ServiceError", code: "conflict", options: { field: "externalId" } }), 409],
      [new Error("secret internals"), 500],
    ];
    for (const [error, status] of cases) {
      thrown = error;
      const result = await fetchEcho();
      expect(result.status).toBe(status);
      expect(result.headers.get("content-type")).toBe("application/problem+json");
      if (status === 409) expect(result.body.errors).toEqual([{ path: "external_id", field: "external_id", code: "conflict", message: "taken" }]);
      if (status === 500) expect(result.body.detail).not.toContain("secret internals");
    }
    thrown = null;
  });

  it("stores idempotent responses for 24 hours only", async () => {
    let produced = 0;
    const produce = async () => ({ status: 201, body: JSON.stringify({ n: ++produced }), headers: {} });
    const scope = { technicalUserId: ctx.technicalUserId, key: "k1", fingerprint: "f" };
    const start = Date.parse("2026-11-24T09:00:00Z");
    expect((await withIdempotency(ctx.db, scope, produce, start)).body).toBe('{"n":1}');
    expect((await withIdempotency(ctx.db, scope, produce, start + 23 * 3600_000)).body).toBe('{"n":1}');
    expect((await withIdempotency(ctx.db, scope, produce, start + 25 * 3600_000)).body).toBe('{"n":2}');
  });

  it("claims a key in the database: a concurrent retry from any bundle or process gets a 409, a failed first try frees the key", async () => {
    const scope = { technicalUserId: ctx.technicalUserId, key: "k-concurrent", fingerprint: "f" };
    let release!: () => void;
    const first = withIdempotency(ctx.db, scope, () => new Promise((resolve) => (release = () => resolve({ status: 201, body: '{"first":true}', headers: {} }))));
    const claim = async (key: string) => (await ctx.db.select({ status: apiIdempotencyKeys.status }).from(apiIdempotencyKeys).where(eq(apiIdempotencyKeys.key, key)))[0]?.status;
    // The claim's transaction commits before the first request's work runs; the claim is a row, visible to every connection.
    await vi.waitFor(async () => expect(await claim("k-concurrent")).toBe(0));
    await expect(withIdempotency(ctx.db, scope, async () => ({ status: 201, body: "{}", headers: {} }))).rejects.toMatchObject({ status: 409 });
    release();
    expect((await first).body).toBe('{"first":true}');
    expect((await withIdempotency(ctx.db, scope, async () => ({ status: 201, body: "{}", headers: {} }))).replayed).toBe(true);

    const failing = { ...scope, key: "k-failing" };
    await expect(withIdempotency(ctx.db, failing, async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await claim("k-failing")).toBeUndefined();
    expect((await withIdempotency(ctx.db, failing, async () => ({ status: 201, body: '{"ok":1}', headers: {} }))).replayed).toBe(false);
  });

  it("ETag helpers: If-Match matches the current tag or *, is optional unless required", () => {
    const request = (ifMatch?: string) => new Request("http://localhost/", { headers: ifMatch ? { "if-match": ifMatch } : {} });
    expect(() => checkIfMatch(request('"3"'), etagOf(3))).not.toThrow();
    expect(() => checkIfMatch(request('W/"3", "4"'), etagOf(4))).not.toThrow();
    expect(() => checkIfMatch(request("*"), etagOf(9))).not.toThrow();
    expect(() => checkIfMatch(request(), etagOf(9))).not.toThrow();
    expect(() => checkIfMatch(request('"2"'), etagOf(3))).toThrow(expect.objectContaining({ status: 412 }) as ApiProblem);
    expect(() => checkIfMatch(request(), etagOf(3), { required: true })).toThrow(expect.objectContaining({ status: 428 }) as ApiProblem);
  });
});

function fetchEcho() {
  return callApi(ctx, echo, { body: { name: "a" } });
}
