import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

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
    /** Names (both orders), company and e-mail, case- and accent-folded: searched with LIKE without calling back into JS per row. */
    searchText: text("search_text").notNull().default(""),
    /** Folded "last first" (or company): list order, served by an index. */
    sortKey: text("sort_key").notNull().default(""),
    version: integer("version").notNull().default(1),
    ...timestamps,
  },
  (t) => [uniqueIndex("phonebook_external_id_unique").on(t.externalId), index("phonebook_sort_idx").on(t.sortKey, t.id)],
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

/**
 * One change counter per cached configuration topic, bumped by triggers in the
 * same transaction as the change (see server/db/configVersions.ts).
 */
export const configVersions = sqliteTable("config_versions", {
  topic: text("topic").primaryKey(),
  version: integer("version").notNull(),
});

/**
 * An extension's SIP password for registering a real phone (issue #13), sealed
 * with the app secret (integration/secretBox): shown once when generated, never again.
 */
export const sipCredentials = sqliteTable("sip_credentials", {
  extensionId: text("extension_id")
    .primaryKey()
    .references(() => extensions.id, { onDelete: "cascade" }),
  sealedPassword: text("sealed_password").notNull(),
  ...timestamps,
});

/** One address a trunk provider signals from (and, for the first, where we send to): a host name or IPv4 address, optional port. */
export interface SipTrunkAddress {
  host: string;
  port: number | null;
}

/**
 * A SIP trunk configured in the portal (issue #13): whose INVITEs the SIP edge
 * takes, for which DIDs, and the optional registration with the provider.
 * The password is sealed with the app secret (integration/secretBox) and never
 * leaves the server. A change bumps `config_versions` ('sip_trunks'), so the
 * edge sees it on the next INVITE without a restart.
 */
export const sipTrunks = sqliteTable(
  "sip_trunks",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
    /** Where the provider's INVITEs come from; a source matching none of an enabled trunk's addresses is refused 403. */
    addresses: text("addresses", { mode: "json" }).$type<SipTrunkAddress[]>().notNull(),
    /** The provider's outbound proxy / registrar; null: the first address. */
    proxy: text("proxy", { mode: "json" }).$type<SipTrunkAddress>(),
    /** Registration credentials (both or neither): with them the edge REGISTERs to the provider. */
    username: text("username"),
    sealedPassword: text("sealed_password"),
    /** The DIDs (E.164) this trunk carries; empty: any DID with a published flow. */
    dids: text("dids", { mode: "json" }).$type<string[]>().notNull(),
    /** Calls out (forward_external, click-to-call) go through this trunk. */
    outbound: integer("outbound", { mode: "boolean" }).notNull().default(false),
    /** The number presented on calls out through this trunk; null: the call's own caller id. */
    callerIdNumber: text("caller_id_number"),
    ...timestamps,
  },
  (t) => [uniqueIndex("sip_trunks_name_unique").on(sql`lower(${t.name})`)],
);

/**
 * How the edge's registration to each trunk's provider is going, written by
 * the process running the SIP edge and read by the portal (in another
 * bundle, later another process). Not a configuration table: no change counter.
 */
export const sipTrunkRegistrations = sqliteTable("sip_trunk_registrations", {
  trunkId: text("trunk_id")
    .primaryKey()
    .references(() => sipTrunks.id, { onDelete: "cascade" }),
  state: text("state", { enum: ["registering", "registered", "failing"] }).notNull(),
  /** Why it fails ("401 Unauthorized", "no response"), or null. */
  reason: text("reason"),
  /** Until when the provider holds the registration (ISO 8601), while registered. */
  expiresAt: text("expires_at"),
  updatedAt: text("updated_at").notNull(),
});
