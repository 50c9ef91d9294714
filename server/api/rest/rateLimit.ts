import { sql } from "drizzle-orm";
import type { Db } from "@/server/db/client";
import { apiRateBuckets } from "@/server/db/schema";

/**
 * The public API's token bucket per technical user: `burst` tokens, refilled
 * at `ratePerS`; every request takes one. `take` answers 0 when allowed, else
 * the whole seconds until a token is available (for `Retry-After`).
 *
 * Two stores with one rule:
 * - **PostgreSQL: `DatabaseTokenBuckets`**, shared by every process that
 *   serves /api/v1 (several `api` processes behind a load balancer must not
 *   each allow the full rate).
 * - **SQLite: `MemoryTokenBuckets`**, this process's memory. SQLite means one
 *   process (the roles contract needs PostgreSQL for more), so there is
 *   nothing to share, and the database bucket would add a write — a WAL
 *   commit on the connection the call runtime writes on — to every request,
 *   reads included. Measured on `bench/api.bench.ts` (GET /users, SQLite):
 *   see server/db/README.md, "Shared between processes".
 */
export interface RateLimiter {
  take(key: string): Promise<number>;
}

function retryAfterS(tokens: number, ratePerS: number): number {
  return Math.max(1, Math.ceil((1 - tokens) / ratePerS));
}

export class MemoryTokenBuckets implements RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly ratePerS: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {}

  async take(key: string): Promise<number> {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + (Math.max(0, now - bucket.at) / 1000) * this.ratePerS);
    bucket.at = Math.max(bucket.at, now);
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return retryAfterS(bucket.tokens, this.ratePerS);
  }
}

/**
 * The bucket as a row of `api_rate_buckets`, refilled and taken from in one
 * statement (`insert … on conflict do update … returning`): the row lock
 * makes concurrent takes from any number of processes queue on it, so none
 * is lost or counted twice. Standard SQL on both dialects (CASE, not
 * least/greatest, which SQLite spells min/max). The time is the caller's
 * clock; a process whose clock runs behind never moves the refill time back
 * nor refills a negative amount.
 */
export class DatabaseTokenBuckets implements RateLimiter {
  constructor(
    private readonly db: Db,
    private readonly ratePerS: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {}

  async take(key: string): Promise<number> {
    const now = this.now();
    const elapsedMs = sql`(case when ${now} > ${apiRateBuckets.refilledAtMs} then ${now} - ${apiRateBuckets.refilledAtMs} else 0 end)`;
    const level = sql`(${apiRateBuckets.tokens} + ${elapsedMs} * cast(${this.ratePerS / 1000} as double precision))`;
    const refilled = sql`(case when ${level} > cast(${this.burst} as double precision) then cast(${this.burst} as double precision) else ${level} end)`;
    const [bucket] = await this.db
      .insert(apiRateBuckets)
      .values({ technicalUserId: key, tokens: this.burst - 1, refilledAtMs: now, granted: true })
      .onConflictDoUpdate({
        target: apiRateBuckets.technicalUserId,
        set: {
          tokens: sql`case when ${refilled} >= 1 then ${refilled} - 1 else ${refilled} end`,
          granted: sql`${refilled} >= 1`,
          refilledAtMs: sql`case when ${now} > ${apiRateBuckets.refilledAtMs} then ${now} else ${apiRateBuckets.refilledAtMs} end`,
        },
      })
      .returning({ tokens: apiRateBuckets.tokens, granted: apiRateBuckets.granted });
    return bucket.granted ? 0 : retryAfterS(bucket.tokens, this.ratePerS);
  }
}
