/**
 * Property: whatever arrives — malformed or oversized bodies, wrong types,
 * unknown fields, invalid numbers, odd path and query values, bad auth
 * headers — every operation answers a documented status (never a 500), errors
 * as problem+json written for people (a `code` on the problem and on each field
 * error; `detail` and every message in words, never empty, never an i18n key),
 * and a refused request leaves the database as it was.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { z } from "zod";
import { basicAuth, callApi, expectWrittenForPeople, setupApiTest, type ApiCall, type ApiTestContext } from "./testing/harness";
import { isPostgres } from "@/server/db/client";
import { allRouteHandlers } from "./operations";
import type { RouteHandler } from "./operation";

let ctx: ApiTestContext;
beforeAll(async () => {
  ctx = await setupApiTest({ demo: true });
});
afterAll(() => ctx.cleanup());

const printable = (maxLength: number) =>
  fc.array(fc.integer({ min: 0x20, max: 0x7e }), { maxLength }).map((codes) => String.fromCharCode(...codes));

const interestingString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom("101", "199", "0", "+3612345678", "06 1 234 5678", "+999", "", " ", "../../etc/passwd", "%00", "𝕏", "null", "-1", "1e400", "__proto__"),
  fc.string({ minLength: 5_000, maxLength: 20_000 }).map((s) => s.padEnd(5_000, "x")),
);

const jsonValue = fc.oneof(fc.jsonValue({ maxDepth: 3 }), interestingString, fc.integer(), fc.double(), fc.boolean(), fc.constant(null));

function propertyNames(schema: z.ZodType | undefined): string[] {
  if (!schema) return [];
  try {
    const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as { properties?: Record<string, unknown> };
    return Object.keys(json.properties ?? {});
  } catch {
    return [];
  }
}

/** Objects built mostly from the operation's own field names (so validation runs deep), with arbitrary values and extra keys. */
function objectsFor(names: string[]) {
  const key = names.length > 0 ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...names) }, { weight: 1, arbitrary: fc.string({ maxLength: 12 }) }) : fc.string({ maxLength: 12 });
  return fc.dictionary(key, jsonValue, { maxKeys: 6 });
}

function authArbitrary(): fc.Arbitrary<string | null | undefined> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant(undefined) }, // the valid all-scopes user
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: printable(60) },
    { weight: 1, arbitrary: printable(60).map((s) => `Bearer ${s}`) },
    { weight: 1, arbitrary: printable(60).map((s) => `Basic ${Buffer.from(s).toString("base64")}`) },
    { weight: 1, arbitrary: printable(30).map((s) => `Basic ${s}`) },
    { weight: 1, arbitrary: fc.constant("x").map(() => basicAuth("sb_unknown", "secret")) },
  );
}

function requestArbitrary(handler: RouteHandler): fc.Arbitrary<ApiCall> {
  const operation = handler.operation;
  const pathNames = [...operation.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
  const params = fc.tuple(...pathNames.map(() => interestingString)).map((values) => Object.fromEntries(pathNames.map((name, i) => [name, values[i]])));
  const queryNames = propertyNames(operation.query);
  const queryValue = fc.oneof(fc.nat({ max: 600 }).map(String), interestingString);
  const query = fc
    .tuple(fc.record(Object.fromEntries(queryNames.map((name) => [name, queryValue])), { requiredKeys: [] }), fc.dictionary(fc.string({ maxLength: 8 }), interestingString, { maxKeys: 2 }))
    .map(([known, extra]) => ({ ...extra, ...known }) as Record<string, string>);
  const bodyNames = propertyNames(operation.body ?? operation.bodyDocs);
  const body: fc.Arbitrary<Pick<ApiCall, "body" | "rawBody" | "headers">> = operation.method === "GET" ? fc.constant({}) : fc.oneof(
    { weight: 4, arbitrary: objectsFor(bodyNames).map((value) => ({ body: value })) },
    { weight: 1, arbitrary: jsonValue.map((value) => ({ body: value })) },
    { weight: 1, arbitrary: fc.string({ maxLength: 60 }).map((rawBody) => ({ rawBody })) },
    { weight: 1, arbitrary: fc.constant({ rawBody: `{"a":"${"x".repeat(1_100_000)}"}` }) },
    { weight: 1, arbitrary: fc.constant({ rawBody: '{"to": 1}', headers: { "content-type": "text/plain" } }) },
    { weight: 1, arbitrary: fc.constant({}) },
  );
  return fc.record({ params, query, body, auth: authArbitrary() }).map(({ params, query, body, auth }) => ({
    params,
    query,
    auth,
    ...body,
    headers: { ...body.headers, ...(operation.idempotent ? { "idempotency-key": "fuzz-key" } : {}) },
  }));
}

/** Every table's rows (the technical users' `last_used_at` aside), on either backend: what a refused request must not change. */
async function databaseSnapshot(): Promise<string> {
  const db = ctx.db;
  const rowsOf = isPostgres(db)
    ? async (sql: string) => (await db.$client.query<Record<string, unknown>>(sql)).rows
    : async (sql: string) => db.$client.prepare(sql).all() as Record<string, unknown>[];
  const tableList = isPostgres(db)
    ? "select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1"
    : "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '__drizzle%' order by name";
  const snapshot: [string, string[]][] = [];
  for (const { name } of (await rowsOf(tableList)) as { name: string }[]) {
    // The rate limiter's buckets (a database row on PostgreSQL, memory on SQLite) take a token for every request, refused or not.
    if (name === "api_rate_buckets") continue;
    // Sorted: PostgreSQL returns rows in storage order, which an update of `last_used_at` alone may change.
    snapshot.push([name, (await rowsOf(`select * from "${name}"`)).map((row) => JSON.stringify({ ...row, last_used_at: undefined })).sort()]);
  }
  return JSON.stringify(snapshot);
}

describe("every operation under hostile input", () => {
  for (const handler of allRouteHandlers()) {
    const { method, path } = handler.operation;
    it(`${method} ${path}: documented status, never 500, readable problem+json errors, refused requests change nothing`, async () => {
      await fc.assert(
        fc.asyncProperty(requestArbitrary(handler), async (request) => {
          const before = await databaseSnapshot();
          const response = await callApi(ctx, handler, request); // asserts the documented contract
          expect(response.status).toBeLessThan(500);
          if (response.status >= 400) expectWrittenForPeople(response.body, `${method} ${path} ${JSON.stringify(request).slice(0, 300)}`);
          if (response.status >= 400) expect(await databaseSnapshot()).toBe(before);
        }),
        { numRuns: 40 },
      );
    });
  }
});
