import { and, desc, eq, gt, lte } from "drizzle-orm";
import type { Db } from "../db/client";
import { loginFailures } from "../db/schema";

/**
 * Sliding-window sign-in throttle: at most `maxFailures` failed sign-ins per
 * key (`account:…`, `ip:…`) within `windowMs`. The failures are rows of
 * `login_failures`, on SQLite as on PostgreSQL, so every process that serves
 * sign-in counts the same failures (an attacker gains nothing by landing on
 * another process) and a restart forgets nothing. One table for both
 * backends: a sign-in costs an argon2id verification (tens of ms), next to
 * which these two or three indexed statements are noise.
 */
export class LoginThrottle {
  constructor(
    private readonly maxFailures: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds until `key` may try again, or 0: the window must slide past the `maxFailures`-th latest failure. */
  async retryAfterMs(db: Db, key: string): Promise<number> {
    const now = this.now();
    const [blocking] = await db
      .select({ at: loginFailures.at })
      .from(loginFailures)
      .where(and(eq(loginFailures.key, key), gt(loginFailures.at, now - this.windowMs)))
      .orderBy(desc(loginFailures.at))
      .limit(1)
      .offset(this.maxFailures - 1);
    return blocking ? blocking.at + this.windowMs - now : 0;
  }

  /** Counts a failure; failures whose window has passed (any key) are deleted on the way. */
  async recordFailure(db: Db, key: string): Promise<void> {
    const now = this.now();
    await db.delete(loginFailures).where(lte(loginFailures.expiresAt, now));
    await db.insert(loginFailures).values({ key, at: now, expiresAt: now + this.windowMs });
  }

  async reset(db: Db, key: string): Promise<void> {
    await db.delete(loginFailures).where(eq(loginFailures.key, key));
  }
}
