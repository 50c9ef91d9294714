import type { Dialect } from "./dialect";

export const deliveryStatuses = ["pending", "in_flight", "succeeded", "failed", "dead", "expired"] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];

export function integrationTables(d: Dialect) {
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
  const outboundApis = d.table("outbound_apis", {
    id: d.text("id").primaryKey(),
    name: d.text("name").notNull(),
    kind: d.text("kind", { enum: ["data_lookup", "incoming_notification", "end_of_call", "event_hook"] }).notNull(),
    enabled: d.boolean("enabled").notNull().default(true),
    /** Why the system disabled it (`gone`: the CRM answered 410); null when an admin did, or when enabled. */
    disabledReason: d.text("disabled_reason"),
    config: d.json("config").$type<Record<string, unknown>>().notNull(),
    credentialsEncrypted: d.text("credentials_encrypted"),
    signingSecretEncrypted: d.text("signing_secret_encrypted").notNull(),
    previousSigningSecretEncrypted: d.text("previous_signing_secret_encrypted"),
    previousSigningSecretExpiresAt: d.integer("previous_signing_secret_expires_at"),
    createdAt: d.integer("created_at").notNull(),
    updatedAt: d.integer("updated_at").notNull(),
  });

  /** One event for the CRM with its frozen payload; `id` is the stable `webhook-id` (`msg_<ulid>`). */
  const integrationMessages = d.table(
    "integration_messages",
    {
      id: d.text("id").primaryKey(),
      eventType: d.text("event_type").notNull(),
      conversationId: d.text("conversation_id"),
      payload: d.text("payload").notNull(),
      createdAt: d.integer("created_at").notNull(),
    },
    (t) => [d.index("integration_messages_conversation_idx").on(t.conversationId)],
  );


  /** A message's way to one endpoint: claimed with a lease, retried on schedule, finally succeeded, dead or expired. */
  const deliveries = d.table(
    "deliveries",
    {
      id: d.text("id").primaryKey(),
      messageId: d.text("message_id")
        .notNull()
        .references(() => integrationMessages.id, { onDelete: "cascade" }),
      outboundApiId: d.text("outbound_api_id")
        .notNull()
        .references(() => outboundApis.id, { onDelete: "cascade" }),
      status: d.text("status", { enum: deliveryStatuses }).notNull(),
      attempts: d.integer("attempts").notNull().default(0),
      nextAttemptAt: d.integer("next_attempt_at").notNull(),
      leaseUntil: d.integer("lease_until"),
      /** Notifications are worthless late: not sent after this moment. */
      expiresAt: d.integer("expires_at"),
      lastStatusCode: d.integer("last_status_code"),
      lastErrorClass: d.text("last_error_class"),
      lastError: d.text("last_error"),
      createdAt: d.integer("created_at").notNull(),
      updatedAt: d.integer("updated_at").notNull(),
    },
    (t) => [
      d.index("deliveries_due_idx").on(t.outboundApiId, t.status, t.nextAttemptAt),
      d.index("deliveries_status_idx").on(t.status, t.leaseUntil),
      d.index("deliveries_api_created_idx").on(t.outboundApiId, t.createdAt),
    ],
  );

  /** What happened on one try: the delivery log's detail. */
  const deliveryAttempts = d.table(
    "delivery_attempts",
    {
      id: d.autoIncrementId("id"),
      deliveryId: d.text("delivery_id")
        .notNull()
        .references(() => deliveries.id, { onDelete: "cascade" }),
      attemptNo: d.integer("attempt_no").notNull(),
      startedAt: d.integer("started_at").notNull(),
      latencyMs: d.integer("latency_ms").notNull(),
      statusCode: d.integer("status_code"),
      errorClass: d.text("error_class"),
      error: d.text("error"),
      /** First 4 KB of the reply, for the delivery log. */
      responseBody: d.text("response_body"),
    },
    (t) => [d.index("delivery_attempts_delivery_idx").on(t.deliveryId)],
  );

  /** A `send_call_data` node ran: this conversation's end-of-call data also goes to that API. */
  const callDataRequests = d.table(
    "call_data_requests",
    {
      conversationId: d.text("conversation_id").notNull(),
      outboundApiId: d.text("outbound_api_id")
        .notNull()
        .references(() => outboundApis.id, { onDelete: "cascade" }),
      nodeId: d.text("node_id").notNull(),
      createdAt: d.integer("created_at").notNull(),
    },
    (t) => [d.primaryKey({ columns: [t.conversationId, t.outboundApiId] })],
  );

  return { outboundApis, integrationMessages, deliveries, deliveryAttempts, callDataRequests };
}
