import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "../db/client";
import { openPostgres, type PostgresConnection } from "../db/postgres";
import { loginFailures } from "../db/schema";
import { createTestDb, type TestDb } from "@/tests/helpers/db";
import { createTestPostgres, testDatabaseUrl } from "@/tests/helpers/postgres";
import { LoginThrottle } from "./throttle";

/** The rule, whichever backend holds the failures. */
function describeThrottleRule(database: () => Db) {
  it("blocks after the limit inside the window and lets the key try again when the window has passed", async () => {
    let now = 0;
    const throttle = new LoginThrottle(3, 60_000, () => now);
    for (let i = 0; i < 3; i++) {
      expect(await throttle.retryAfterMs(database(), "k")).toBe(0);
      await throttle.recordFailure(database(), "k");
      now += 1_000;
    }
    expect(await throttle.retryAfterMs(database(), "k")).toBe(57_000);
    expect(await throttle.retryAfterMs(database(), "other")).toBe(0);
    now = 60_001;
    expect(await throttle.retryAfterMs(database(), "k")).toBe(0);
  });

  it("forgets failures after a success, and deletes failures whose window has passed", async () => {
    let now = 0;
    const throttle = new LoginThrottle(1, 60_000, () => now);
    await throttle.recordFailure(database(), "k");
    await throttle.recordFailure(database(), "stale");
    expect(await throttle.retryAfterMs(database(), "k")).toBeGreaterThan(0);
    await throttle.reset(database(), "k");
    expect(await throttle.retryAfterMs(database(), "k")).toBe(0);
    now = 60_000;
    await throttle.recordFailure(database(), "k");
    expect((await database().select({ key: loginFailures.key }).from(loginFailures)).map((row) => row.key)).toEqual(["k"]);
  });
}

describe("LoginThrottle on SQLite", () => {
  let test: TestDb;
  beforeEach(async () => {
    test = await createTestDb("sqlite");
  });
  afterEach(() => test.cleanup());
  describeThrottleRule(() => test.db);
});

describe.skipIf(!testDatabaseUrl)("LoginThrottle shared by two processes on PostgreSQL", () => {
  let first: Awaited<ReturnType<typeof createTestPostgres>>;
  let second: PostgresConnection;
  const one = () => first.db as unknown as Db;
  const other = () => second.db as unknown as Db;

  beforeAll(async () => {
    first = await createTestPostgres(testDatabaseUrl!);
    second = await openPostgres(first.url); // another pool: what a second portal process holds
  });
  afterAll(async () => {
    await second?.close();
    await first?.drop();
  });
  beforeEach(async () => {
    await one().delete(loginFailures);
  });

  describeThrottleRule(one);

  it("counts sign-in failures made on either process, and a success on one clears the account on both", async () => {
    const now = () => 1_000_000;
    const throttle = new LoginThrottle(5, 15 * 60_000, now);
    for (let i = 0; i < 5; i++) await throttle.recordFailure(i % 2 ? one() : other(), "account:ann@example.com");
    expect(await throttle.retryAfterMs(one(), "account:ann@example.com")).toBe(15 * 60_000);
    expect(await throttle.retryAfterMs(other(), "account:ann@example.com")).toBe(15 * 60_000);
    await throttle.reset(other(), "account:ann@example.com");
    expect(await throttle.retryAfterMs(one(), "account:ann@example.com")).toBe(0);
  });
});
