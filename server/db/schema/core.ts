import { sql } from "drizzle-orm";
import type { Dialect } from "./dialect";

export const forwardingKinds = ["unconditional", "busy", "no_answer"] as const;
export type ForwardingKind = (typeof forwardingKinds)[number];

export function coreTables(d: Dialect) {
  /** ISO 8601 UTC text timestamps: readable in the SQLite shell and identical to what the API returns. */
  const timestamps = {
    createdAt: d.text("created_at").notNull().default(d.nowIso()),
    updatedAt: d.text("updated_at").notNull().default(d.nowIso()),
  };

  const users = d.table(
    "users",
    {
      id: d.text("id").primaryKey(),
      email: d.text("email").notNull(),
      firstName: d.text("first_name").notNull(),
      lastName: d.text("last_name").notNull().default(""),
      passwordHash: d.text("password_hash"),
      role: d.text("role", { enum: ["admin", "user"] }).notNull().default("user"),
      enabled: d.boolean("enabled").notNull().default(true),
      locale: d.text("locale", { enum: ["en", "hu"] }),
      ...timestamps,
    },
    (t) => [d.uniqueIndex("users_email_unique").on(sql`lower(${t.email})`)],
  );

  const extensions = d.table(
    "extensions",
    {
      id: d.text("id").primaryKey(),
      number: d.text("number").notNull(),
      name: d.text("name").notNull(),
      ownerUserId: d.text("owner_user_id").references(() => users.id, { onDelete: "set null" }),
      enabled: d.boolean("enabled").notNull().default(true),
      ...timestamps,
    },
    (t) => [d.uniqueIndex("extensions_number_unique").on(t.number), d.index("extensions_owner_idx").on(t.ownerUserId)],
  );


  const forwardingRules = d.table(
    "forwarding_rules",
    {
      extensionId: d.text("extension_id")
        .notNull()
        .references(() => extensions.id, { onDelete: "cascade" }),
      kind: d.text("kind", { enum: forwardingKinds }).notNull(),
      enabled: d.boolean("enabled").notNull().default(false),
      destinationType: d.text("destination_type", { enum: ["extension", "external"] }).notNull(),
      destinationNumber: d.text("destination_number").notNull(),
      ringTimeoutS: d.integer("ring_timeout_s"),
      version: d.integer("version").notNull().default(1),
      ...timestamps,
    },
    (t) => [d.primaryKey({ columns: [t.extensionId, t.kind] })],
  );

  const flows = d.table("flows", {
    id: d.text("id").primaryKey(),
    name: d.text("name").notNull(),
    description: d.text("description").notNull().default(""),
    /** The draft flow document (API.md §Flow document), parsed through parseFlowDocument on read. */
    draft: d.json("draft").$type<unknown>().notNull(),
    /** Bumped on every draft save: editors send the version they loaded, so two admins cannot overwrite each other silently. */
    draftVersion: d.integer("draft_version").notNull().default(1),
    updatedBy: d.text("updated_by").references(() => users.id, { onDelete: "set null" }),
    ...timestamps,
  });

  const flowRevisions = d.table(
    "flow_revisions",
    {
      id: d.text("id").primaryKey(),
      flowId: d.text("flow_id")
        .notNull()
        .references(() => flows.id, { onDelete: "cascade" }),
      revision: d.integer("revision").notNull(),
      document: d.json("document").$type<unknown>().notNull(),
      publishedAt: d.text("published_at").notNull(),
      publishedBy: d.text("published_by").references(() => users.id, { onDelete: "set null" }),
    },
    (t) => [d.uniqueIndex("flow_revisions_flow_revision_unique").on(t.flowId, t.revision)],
  );

  /** DIDs: external numbers whose incoming calls run a flow's latest published revision. */
  const phoneNumbers = d.table(
    "phone_numbers",
    {
      id: d.text("id").primaryKey(),
      number: d.text("number").notNull(),
      label: d.text("label").notNull().default(""),
      flowId: d.text("flow_id").references(() => flows.id, { onDelete: "set null" }),
      ...timestamps,
    },
    (t) => [d.uniqueIndex("phone_numbers_number_unique").on(t.number)],
  );

  const queues = d.table("queues", {
    id: d.text("id").primaryKey(),
    name: d.text("name").notNull(),
    strategy: d.text("strategy", { enum: ["ring_all", "longest_idle"] }).notNull().default("ring_all"),
    maxWaitS: d.integer("max_wait_s").notNull().default(300),
    wrapUpS: d.integer("wrap_up_s").notNull().default(10),
    ...timestamps,
  });

  /** A call-centre agent is a user who may log in to queues; state history is append-only. */
  const agents = d.table(
    "agents",
    {
      id: d.text("id").primaryKey(),
      userId: d.text("user_id")
        .notNull()
        .references(() => users.id, { onDelete: "cascade" }),
      ...timestamps,
    },
    (t) => [d.uniqueIndex("agents_user_unique").on(t.userId)],
  );

  const queueMembers = d.table(
    "queue_members",
    {
      queueId: d.text("queue_id")
        .notNull()
        .references(() => queues.id, { onDelete: "cascade" }),
      agentId: d.text("agent_id")
        .notNull()
        .references(() => agents.id, { onDelete: "cascade" }),
    },
    (t) => [d.primaryKey({ columns: [t.queueId, t.agentId] })],
  );

  const phonebookContacts = d.table(
    "phonebook_contacts",
    {
      id: d.text("id").primaryKey(),
      externalId: d.text("external_id"),
      firstName: d.text("first_name").notNull().default(""),
      lastName: d.text("last_name").notNull().default(""),
      company: d.text("company").notNull().default(""),
      email: d.text("email").notNull().default(""),
      notes: d.text("notes").notNull().default(""),
      /** Names (both orders), company and e-mail, case- and accent-folded: searched with LIKE without calling back into JS per row. */
      searchText: d.text("search_text").notNull().default(""),
      /** Folded "last first" (or company): list order, served by an index. */
      sortKey: d.text("sort_key").notNull().default(""),
      version: d.integer("version").notNull().default(1),
      ...timestamps,
    },
    (t) => [d.uniqueIndex("phonebook_external_id_unique").on(t.externalId), d.index("phonebook_sort_idx").on(t.sortKey, t.id)],
  );

  const phonebookNumbers = d.table(
    "phonebook_numbers",
    {
      contactId: d.text("contact_id")
        .notNull()
        .references(() => phonebookContacts.id, { onDelete: "cascade" }),
      position: d.integer("position").notNull(),
      type: d.text("type", { enum: ["work", "mobile", "home", "other"] }).notNull(),
      number: d.text("number").notNull(),
    },
    (t) => [d.primaryKey({ columns: [t.contactId, t.position] }), d.index("phonebook_numbers_number_idx").on(t.number)],
  );

  /** API clients. The secret is stored only as an argon2id hash; during rotation the previous hash stays valid until its expiry. */
  const technicalUsers = d.table(
    "technical_users",
    {
      id: d.text("id").primaryKey(),
      name: d.text("name").notNull(),
      clientId: d.text("client_id").notNull(),
      secretHash: d.text("secret_hash").notNull(),
      previousSecretHash: d.text("previous_secret_hash"),
      previousSecretExpiresAt: d.text("previous_secret_expires_at"),
      scopes: d.json("scopes").$type<string[]>().notNull(),
      ipAllowlist: d.json("ip_allowlist").$type<string[]>().notNull().default(sql`'[]'`),
      revokedAt: d.text("revoked_at"),
      lastUsedAt: d.text("last_used_at"),
      ...timestamps,
    },
    (t) => [d.uniqueIndex("technical_users_client_id_unique").on(t.clientId)],
  );

  /** Small key/value settings of the installation (e.g. the organisation name). */
  const settings = d.table("settings", {
    key: d.text("key").primaryKey(),
    value: d.json("value").$type<unknown>().notNull(),
  });

  /**
   * One change counter per cached configuration topic, bumped by triggers in the
   * same transaction as the change (see server/db/configVersions.ts).
   */
  const configVersions = d.table("config_versions", {
    topic: d.text("topic").primaryKey(),
    version: d.integer("version").notNull(),
  });

  /**
   * An extension's SIP password for registering a real phone (issue #13), sealed
   * with the app secret (integration/secretBox): shown once when generated, never again.
   */
  const sipCredentials = d.table("sip_credentials", {
    extensionId: d.text("extension_id")
      .primaryKey()
      .references(() => extensions.id, { onDelete: "cascade" }),
    sealedPassword: d.text("sealed_password").notNull(),
    ...timestamps,
  });

  return { users, extensions, forwardingRules, flows, flowRevisions, phoneNumbers, queues, agents, queueMembers, phonebookContacts, phonebookNumbers, technicalUsers, settings, configVersions, sipCredentials };
}

export type CoreTables = ReturnType<typeof coreTables>;
