import type { Dialect } from "./dialect";
import type { CoreTables } from "./core";

export function apiTables(d: Dialect, { technicalUsers }: Pick<CoreTables, "technicalUsers">) {
  // ── public REST API ───────────────────────────────────────────────────

  /**
   * `Idempotency-Key` replays (API.md §Conventions): the first successful
   * response of a creating POST, per technical user and key, kept 24 hours.
   * `request_hash` covers method, path and the canonical body, so the same key
   * with a different request is refused instead of replayed.
   */
  const apiIdempotencyKeys = d.table(
    "api_idempotency_keys",
    {
      technicalUserId: d.text("technical_user_id")
        .notNull()
        .references(() => technicalUsers.id, { onDelete: "cascade" }),
      key: d.text("key").notNull(),
      requestHash: d.text("request_hash").notNull(),
      status: d.integer("status").notNull(),
      /** The response body as sent (JSON text). */
      body: d.text("body").notNull(),
      headers: d.json("headers").$type<Record<string, string>>().notNull(),
      createdAt: d.text("created_at").notNull(),
    },
    (t) => [d.primaryKey({ columns: [t.technicalUserId, t.key] }), d.index("api_idempotency_keys_created_idx").on(t.createdAt)],
  );

  /**
   * The public API's token bucket per technical user, shared by every process
   * serving /api/v1 on PostgreSQL (SQLite, one process, keeps its buckets in
   * memory: server/api/rest/rateLimit.ts says why). One upsert per request
   * refills and takes; `granted` tells the caller whether it got a token.
   */
  const apiRateBuckets = d.table("api_rate_buckets", {
    technicalUserId: d.text("technical_user_id")
      .primaryKey()
      .references(() => technicalUsers.id, { onDelete: "cascade" }),
    tokens: d.real("tokens").notNull(),
    /** Epoch milliseconds of the last refill. */
    refilledAtMs: d.integer("refilled_at_ms").notNull(),
    granted: d.boolean("granted").notNull(),
  });

  /**
   * Failed portal sign-ins, one row each, per throttle key (`account:…`, `ip:…`):
   * the sliding windows of server/auth/throttle.ts, shared by every process
   * that serves sign-in. A row is useless after `expires_at_ms` and deleted
   * by the next failure.
   */
  const loginFailures = d.table(
    "login_failures",
    {
      id: d.autoIncrementId("id"),
      key: d.text("key").notNull(),
      /** Epoch milliseconds. */
      at: d.integer("at").notNull(),
      expiresAt: d.integer("expires_at").notNull(),
    },
    (t) => [d.index("login_failures_key_at_idx").on(t.key, t.at), d.index("login_failures_expires_idx").on(t.expiresAt)],
  );

  return { apiIdempotencyKeys, apiRateBuckets, loginFailures };
}
