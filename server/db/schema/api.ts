import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { technicalUsers } from "./core";

// ── public REST API ───────────────────────────────────────────────────

/**
 * `Idempotency-Key` replays (API.md §Conventions): the first successful
 * response of a creating POST, per technical user and key, kept 24 hours.
 * `request_hash` covers method, path and the canonical body, so the same key
 * with a different request is refused instead of replayed.
 */
export const apiIdempotencyKeys = sqliteTable(
  "api_idempotency_keys",
  {
    technicalUserId: text("technical_user_id")
      .notNull()
      .references(() => technicalUsers.id, { onDelete: "cascade" }),
    key: text("key").notNull(),
    requestHash: text("request_hash").notNull(),
    status: integer("status").notNull(),
    /** The response body as sent (JSON text). */
    body: text("body").notNull(),
    headers: text("headers", { mode: "json" }).$type<Record<string, string>>().notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.technicalUserId, t.key] }), index("api_idempotency_keys_created_idx").on(t.createdAt)],
);
