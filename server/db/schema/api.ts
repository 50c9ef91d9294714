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

  return { apiIdempotencyKeys };
}
