import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "@/server/db/client";
import { technicalUsers } from "@/server/db/schema";
import { openPostgres, type PostgresConnection } from "@/server/db/postgres";
import { createTestPostgres, testDatabaseUrl } from "@/tests/helpers/postgres";
import { MemoryTokenBuckets, PgTokenBuckets, type RateLimiter } from "./rateLimit";

async function addTechnicalUser(db: Db, id: string): Promise<void> {
  await db.insert(technicalUsers).values({ id, name: id, clientId: `client-${id}`, secretHash: "x", scopes: [] });
}

/** The same rule whichever store holds the bucket: burst 3, one token per 2 s. */
function describeBucketRule(name: string, limiter: (now: () => number) => RateLimiter) {
  it(`${name}: allows the burst, answers Retry-After until a token has refilled, and keeps users apart`, async () => {
    let now = 1_000_000;
    const buckets = limiter(() => now);
    expect([await buckets.take("tu_a"), await buckets.take("tu_a"), await buckets.take("tu_a")]).toEqual([0, 0, 0]);
    expect(await buckets.take("tu_a")).toBe(2);
    expect(await buckets.take("tu_b")).toBe(0);
    now += 1_000; // half a token: still refused, and the refusal took nothing
    expect(await buckets.take("tu_a")).toBe(1);
    now += 1_000;
    expect(await buckets.take("tu_a")).toBe(0);
    expect(await buckets.take("tu_a")).toBe(2);
    now += 60_000; // a long pause refills to the burst, no further
    expect([await buckets.take("tu_a"), await buckets.take("tu_a"), await buckets.take("tu_a"), await buckets.take("tu_a")]).toEqual([0, 0, 0, 2]);
  });
}

describe("API token buckets", () => {
  describeBucketRule("in memory", (now) => new MemoryTokenBuckets(0.5, 3, now));

  it("never refills backwards when a caller's clock is behind", async () => {
    let now = 10_000;
    const buckets = new MemoryTokenBuckets(1, 1, () => now);
    expect(await buckets.take("k")).toBe(0);
    now = 5_000;
    expect(await buckets.take("k")).toBe(1);
  });
});

describe.skipIf(!testDatabaseUrl)("API token buckets shared by two processes on PostgreSQL", () => {
  let first: Awaited<ReturnType<typeof createTestPostgres>>;
  let second: PostgresConnection;

  beforeAll(async () => {
    first = await createTestPostgres(testDatabaseUrl!);
    second = await openPostgres(first.url); // another pool: what a second API process holds
  });
  afterAll(async () => {
    await second?.close();
    await first?.drop();
  });
  beforeEach(async () => {
    await (first.db as unknown as Db).delete(technicalUsers);
    for (const id of ["tu_a", "tu_b"]) await addTechnicalUser(first.db as unknown as Db, id);
  });

  describeBucketRule("PostgreSQL", (now) => new PgTokenBuckets(first.db.$client, 0.5, 3, now));

  it("a bucket drained through one process is empty for the other", async () => {
    const now = () => 5_000_000;
    const one = new PgTokenBuckets(first.db.$client, 0.5, 3, now);
    const other = new PgTokenBuckets(second.db.$client, 0.5, 3, now);
    expect([await one.take("tu_a"), await one.take("tu_a"), await one.take("tu_a")]).toEqual([0, 0, 0]);
    expect(await other.take("tu_a")).toBe(2);
    expect(await other.take("tu_b")).toBe(0);
  });

  it("concurrent takes from both processes grant exactly the burst", async () => {
    const now = () => 7_000_000;
    const one = new PgTokenBuckets(first.db.$client, 0.001, 20, now);
    const other = new PgTokenBuckets(second.db.$client, 0.001, 20, now);
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? one : other).take("tu_a")));
    expect(answers.filter((retryAfter) => retryAfter === 0)).toHaveLength(20);
  });
});
