import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

// ── CRM integration ───────────────────────────────────────────────────
// Outbound API configurations, the transactional outbox (messages and one
// delivery per endpoint) and every delivery attempt. Scheduling columns are
// epoch milliseconds from the injected clock, so the worker compares numbers.

/**
 * One outbound API (data look-up, incoming-call notification, end-of-call
 * data, or a custom event hook). `config` holds everything that is not
 * secret, parsed at read by `parseOutboundApiConfig`; CRM credentials and the
 * `whsec_` signing secrets are AES-256-GCM ciphertexts.
 */
export const outboundApis = sqliteTable("outbound_apis", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  kind: text("kind", { enum: ["data_lookup", "incoming_notification", "end_of_call", "event_hook"] }).notNull(),
  enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
  /** Why the system disabled it (`gone`: the CRM answered 410); null when an admin did, or when enabled. */
  disabledReason: text("disabled_reason"),
  config: text("config", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
  credentialsEncrypted: text("credentials_encrypted"),
  signingSecretEncrypted: text("signing_secret_encrypted").notNull(),
  previousSigningSecretEncrypted: text("previous_signing_secret_encrypted"),
  previousSigningSecretExpiresAt: integer("previous_signing_secret_expires_at"),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

/** One event for the CRM with its frozen payload; `id` is the stable `webhook-id` (`msg_<ulid>`). */
export const integrationMessages = sqliteTable(
  "integration_messages",
  {
    id: text("id").primaryKey(),
    eventType: text("event_type").notNull(),
    conversationId: text("conversation_id"),
    payload: text("payload").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("integration_messages_conversation_idx").on(t.conversationId)],
);

export const deliveryStatuses = ["pending", "in_flight", "succeeded", "failed", "dead", "expired"] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];

/** A message's way to one endpoint: claimed with a lease, retried on schedule, finally succeeded, dead or expired. */
export const deliveries = sqliteTable(
  "deliveries",
  {
    id: text("id").primaryKey(),
    messageId: text("message_id")
      .notNull()
      .references(() => integrationMessages.id, { onDelete: "cascade" }),
    outboundApiId: text("outbound_api_id")
      .notNull()
      .references(() => outboundApis.id, { onDelete: "cascade" }),
    status: text("status", { enum: deliveryStatuses }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: integer("next_attempt_at").notNull(),
    leaseUntil: integer("lease_until"),
    /** Notifications are worthless late: not sent after this moment. */
    expiresAt: integer("expires_at"),
    lastStatusCode: integer("last_status_code"),
    lastErrorClass: text("last_error_class"),
    lastError: text("last_error"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    index("deliveries_due_idx").on(t.outboundApiId, t.status, t.nextAttemptAt),
    index("deliveries_status_idx").on(t.status, t.leaseUntil),
    index("deliveries_api_created_idx").on(t.outboundApiId, t.createdAt),
  ],
);

/** What happened on one try: the delivery log's detail. */
export const deliveryAttempts = sqliteTable(
  "delivery_attempts",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    deliveryId: text("delivery_id")
      .notNull()
      .references(() => deliveries.id, { onDelete: "cascade" }),
    attemptNo: integer("attempt_no").notNull(),
    startedAt: integer("started_at").notNull(),
    latencyMs: integer("latency_ms").notNull(),
    statusCode: integer("status_code"),
    errorClass: text("error_class"),
    error: text("error"),
    /** First 4 KB of the reply, for the delivery log. */
    responseBody: text("response_body"),
  },
  (t) => [index("delivery_attempts_delivery_idx").on(t.deliveryId)],
);

/** A `send_call_data` node ran: this conversation's end-of-call data also goes to that API. */
export const callDataRequests = sqliteTable(
  "call_data_requests",
  {
    conversationId: text("conversation_id").notNull(),
    outboundApiId: text("outbound_api_id")
      .notNull()
      .references(() => outboundApis.id, { onDelete: "cascade" }),
    nodeId: text("node_id").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.conversationId, t.outboundApiId] })],
);
