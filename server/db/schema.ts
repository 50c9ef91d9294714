import { sql } from "drizzle-orm";
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/** ISO 8601 UTC text timestamps: readable in the SQLite shell and identical to what the API returns. */
const timestamps = {
  createdAt: text("created_at").notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`),
  updatedAt: text("updated_at").notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`),
};

export const users = sqliteTable(
  "users",
  {
    id: text("id").primaryKey(),
    email: text("email").notNull(),
    firstName: text("first_name").notNull(),
    lastName: text("last_name").notNull().default(""),
    passwordHash: text("password_hash"),
    role: text("role", { enum: ["admin", "user"] }).notNull().default("user"),
    enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
    locale: text("locale", { enum: ["en", "hu"] }),
    ...timestamps,
  },
  (t) => [uniqueIndex("users_email_unique").on(sql`lower(${t.email})`)],
);

export const extensions = sqliteTable(
  "extensions",
  {
    id: text("id").primaryKey(),
    number: text("number").notNull(),
    name: text("name").notNull(),
    ownerUserId: text("owner_user_id").references(() => users.id, { onDelete: "set null" }),
    enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
    ...timestamps,
  },
  (t) => [uniqueIndex("extensions_number_unique").on(t.number), index("extensions_owner_idx").on(t.ownerUserId)],
);

export const forwardingKinds = ["unconditional", "busy", "no_answer"] as const;
export type ForwardingKind = (typeof forwardingKinds)[number];

export const forwardingRules = sqliteTable(
  "forwarding_rules",
  {
    extensionId: text("extension_id")
      .notNull()
      .references(() => extensions.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: forwardingKinds }).notNull(),
    enabled: integer("enabled", { mode: "boolean" }).notNull().default(false),
    destinationType: text("destination_type", { enum: ["extension", "external"] }).notNull(),
    destinationNumber: text("destination_number").notNull(),
    ringTimeoutS: integer("ring_timeout_s"),
    version: integer("version").notNull().default(1),
    ...timestamps,
  },
  (t) => [primaryKey({ columns: [t.extensionId, t.kind] })],
);

export const flows = sqliteTable("flows", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  description: text("description").notNull().default(""),
  /** The draft flow document (API.md §Flow document), parsed through parseFlowDocument on read. */
  draft: text("draft", { mode: "json" }).$type<unknown>().notNull(),
  /** Bumped on every draft save: editors send the version they loaded, so two admins cannot overwrite each other silently. */
  draftVersion: integer("draft_version").notNull().default(1),
  updatedBy: text("updated_by").references(() => users.id, { onDelete: "set null" }),
  ...timestamps,
});

export const flowRevisions = sqliteTable(
  "flow_revisions",
  {
    id: text("id").primaryKey(),
    flowId: text("flow_id")
      .notNull()
      .references(() => flows.id, { onDelete: "cascade" }),
    revision: integer("revision").notNull(),
    document: text("document", { mode: "json" }).$type<unknown>().notNull(),
    publishedAt: text("published_at").notNull(),
    publishedBy: text("published_by").references(() => users.id, { onDelete: "set null" }),
  },
  (t) => [uniqueIndex("flow_revisions_flow_revision_unique").on(t.flowId, t.revision)],
);

/** DIDs: external numbers whose incoming calls run a flow's latest published revision. */
export const phoneNumbers = sqliteTable(
  "phone_numbers",
  {
    id: text("id").primaryKey(),
    number: text("number").notNull(),
    label: text("label").notNull().default(""),
    flowId: text("flow_id").references(() => flows.id, { onDelete: "set null" }),
    ...timestamps,
  },
  (t) => [uniqueIndex("phone_numbers_number_unique").on(t.number)],
);

export const queues = sqliteTable("queues", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  strategy: text("strategy", { enum: ["ring_all", "longest_idle"] }).notNull().default("ring_all"),
  maxWaitS: integer("max_wait_s").notNull().default(300),
  wrapUpS: integer("wrap_up_s").notNull().default(10),
  ...timestamps,
});

/** A call-centre agent is a user who may log in to queues; state history is append-only. */
export const agents = sqliteTable(
  "agents",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    ...timestamps,
  },
  (t) => [uniqueIndex("agents_user_unique").on(t.userId)],
);

export const queueMembers = sqliteTable(
  "queue_members",
  {
    queueId: text("queue_id")
      .notNull()
      .references(() => queues.id, { onDelete: "cascade" }),
    agentId: text("agent_id")
      .notNull()
      .references(() => agents.id, { onDelete: "cascade" }),
  },
  (t) => [primaryKey({ columns: [t.queueId, t.agentId] })],
);

export const phonebookContacts = sqliteTable(
  "phonebook_contacts",
  {
    id: text("id").primaryKey(),
    externalId: text("external_id"),
    firstName: text("first_name").notNull().default(""),
    lastName: text("last_name").notNull().default(""),
    company: text("company").notNull().default(""),
    email: text("email").notNull().default(""),
    notes: text("notes").notNull().default(""),
    version: integer("version").notNull().default(1),
    ...timestamps,
  },
  (t) => [uniqueIndex("phonebook_external_id_unique").on(t.externalId)],
);

export const phonebookNumbers = sqliteTable(
  "phonebook_numbers",
  {
    contactId: text("contact_id")
      .notNull()
      .references(() => phonebookContacts.id, { onDelete: "cascade" }),
    position: integer("position").notNull(),
    type: text("type", { enum: ["work", "mobile", "home", "other"] }).notNull(),
    number: text("number").notNull(),
  },
  (t) => [primaryKey({ columns: [t.contactId, t.position] }), index("phonebook_numbers_number_idx").on(t.number)],
);

/** API clients. The secret is stored only as an argon2id hash; during rotation the previous hash stays valid until its expiry. */
export const technicalUsers = sqliteTable(
  "technical_users",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    clientId: text("client_id").notNull(),
    secretHash: text("secret_hash").notNull(),
    previousSecretHash: text("previous_secret_hash"),
    previousSecretExpiresAt: text("previous_secret_expires_at"),
    scopes: text("scopes", { mode: "json" }).$type<string[]>().notNull(),
    ipAllowlist: text("ip_allowlist", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
    revokedAt: text("revoked_at"),
    lastUsedAt: text("last_used_at"),
    ...timestamps,
  },
  (t) => [uniqueIndex("technical_users_client_id_unique").on(t.clientId)],
);

/** Small key/value settings of the installation (e.g. the organisation name). */
export const settings = sqliteTable("settings", {
  key: text("key").primaryKey(),
  value: text("value", { mode: "json" }).$type<unknown>().notNull(),
});

// ── calls ─────────────────────────────────────────────────────────────
// The call model's records. A CDR row keeps the whole CDR (API.md §CDR) as JSON
// plus the columns that history queries filter and sort on.

export const cdrs = sqliteTable(
  "cdrs",
  {
    cdrId: text("cdr_id").primaryKey(),
    conversationId: text("conversation_id").notNull(),
    callId: text("call_id").notNull(),
    sequence: integer("sequence").notNull(),
    isFinal: integer("is_final", { mode: "boolean" }).notNull(),
    direction: text("direction").notNull(),
    disposition: text("disposition").notNull(),
    callerNumber: text("caller_number").notNull(),
    calledNumber: text("called_number").notNull(),
    startedAt: text("started_at").notNull(),
    endedAt: text("ended_at").notNull(),
    document: text("document", { mode: "json" }).$type<unknown>().notNull(),
  },
  (t) => [index("cdrs_conversation_idx").on(t.conversationId), index("cdrs_ended_idx").on(t.endedAt, t.cdrId)],
);

/** Which extensions took part in a CDR (requested, answered, transferred, forwarded): the `?extension=` filter. */
export const cdrExtensions = sqliteTable(
  "cdr_extensions",
  {
    cdrId: text("cdr_id")
      .notNull()
      .references(() => cdrs.cdrId, { onDelete: "cascade" }),
    extension: text("extension").notNull(),
  },
  (t) => [primaryKey({ columns: [t.cdrId, t.extension] }), index("cdr_extensions_extension_idx").on(t.extension)],
);

/** Calls in progress. Written when a call starts, deleted in the transaction that writes its final CDR; rows left after a crash are closed on restart. */
export const openCalls = sqliteTable("open_calls", {
  callId: text("call_id").primaryKey(),
  snapshot: text("snapshot", { mode: "json" }).$type<unknown>().notNull(),
  startedAt: text("started_at").notNull(),
});

/** The step trace of a call's flow run, kept for replay on the canvas. */
export const callTraces = sqliteTable(
  "call_traces",
  {
    callId: text("call_id").primaryKey(),
    conversationId: text("conversation_id").notNull(),
    flowId: text("flow_id"),
    revision: integer("revision"),
    outcome: text("outcome").notNull(),
    steps: text("steps", { mode: "json" }).$type<unknown[]>().notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [index("call_traces_conversation_idx").on(t.conversationId)],
);

export const recordings = sqliteTable(
  "recordings",
  {
    code: text("code").primaryKey(),
    conversationId: text("conversation_id").notNull(),
    kind: text("kind", { enum: ["call", "voicemail"] }).notNull(),
    mailboxExtension: text("mailbox_extension"),
    format: text("format").notNull(),
    durationS: real("duration_s").notNull(),
    sizeBytes: integer("size_bytes").notNull(),
    sha256: text("sha256").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [index("recordings_conversation_idx").on(t.conversationId)],
);

/** Append-only agent state history: time-in-state reports are computed from it. */
export const agentStateHistory = sqliteTable(
  "agent_state_history",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    agentId: text("agent_id")
      .notNull()
      .references(() => agents.id, { onDelete: "cascade" }),
    status: text("status", { enum: ["logged_out", "available", "paused", "on_call", "wrap_up"] }).notNull(),
    pauseReason: text("pause_reason"),
    at: text("at").notNull(),
  },
  (t) => [index("agent_state_history_agent_at_idx").on(t.agentId, t.at)],
);
