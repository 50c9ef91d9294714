import type pg from "pg";

/**
 * The public API's token bucket per technical user: `burst` tokens, refilled
 * at `ratePerS`; every request takes one. `take` answers 0 when allowed, else
 * the whole seconds until a token is available (for `Retry-After`).
 *
 * Two stores with one rule:
 * - **PostgreSQL: `PgTokenBuckets`**, shared by every process that
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
 * is lost or counted twice. Hand-written and prepared by name (parsed once
 * per pooled connection, four parameters): the same rule built with Drizzle's
 * `sql` fragments repeated the refill expression into 36 parameters and 2 KB
 * of SQL, parsed per request. The time is the caller's clock; a process whose
 * clock runs behind never moves the refill time back nor refills a negative
 * amount.
 */
export class PgTokenBuckets implements RateLimiter {
  constructor(
    private readonly pool: pg.Pool,
    private readonly ratePerS: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {}

  async take(key: string): Promise<number> {
    const { rows } = await this.pool.query<{ tokens: number; granted: boolean }>({
      name: "api-rate-bucket-take",
      text: `insert into api_rate_buckets as b (technical_user_id, tokens, refilled_at_ms, granted)
             values ($1, $3::float8 - 1, $2, true)
             on conflict (technical_user_id) do update set (tokens, granted, refilled_at_ms) =
               (select case when level >= 1 then level - 1 else level end, level >= 1, greatest(b.refilled_at_ms, $2)
                from (select least($3::float8, b.tokens + greatest(0, $2 - b.refilled_at_ms) * $4::float8) as level) refill)
             returning tokens, granted`,
      values: [key, this.now(), this.burst, this.ratePerS / 1000],
    });
    const [bucket] = rows;
    return bucket.granted ? 0 : retryAfterS(bucket.tokens, this.ratePerS);
  }
}
