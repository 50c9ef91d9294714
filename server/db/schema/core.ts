import { sql } from "drizzle-orm";
import type { Dialect } from "./dialect";

export const forwardingKinds = ["unconditional", "busy", "no_answer"] as const;
export type ForwardingKind = (typeof forwardingKinds)[number];

/** One address a trunk provider signals from (and, for the first, where we send to): a host name or IPv4 address, optional port. */
export interface SipTrunkAddress {
  host: string;
  port: number | null;
}

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

  /**
   * A SIP trunk configured in the portal (issue #13): whose INVITEs the SIP edge
   * takes, for which DIDs, and the optional registration with the provider.
   * The password is sealed with the app secret (integration/secretBox) and never
   * leaves the server. A change bumps `config_versions` ('sip_trunks'), so the
   * edge sees it on the next INVITE without a restart.
   */
  const sipTrunks = d.table(
    "sip_trunks",
    {
      id: d.text("id").primaryKey(),
      name: d.text("name").notNull(),
      enabled: d.boolean("enabled").notNull().default(true),
      /** Where the provider's INVITEs come from; a source matching none of an enabled trunk's addresses is not a trunk call. */
      addresses: d.json("addresses").$type<SipTrunkAddress[]>().notNull(),
      /** The provider's outbound proxy / registrar; null: the first address. */
      proxy: d.json("proxy").$type<SipTrunkAddress>(),
      /** Registration credentials (both or neither): with them the edge REGISTERs to the provider. */
      username: d.text("username"),
      sealedPassword: d.text("sealed_password"),
      /** The DIDs (E.164) this trunk carries; empty: any DID with a published flow. */
      dids: d.json("dids").$type<string[]>().notNull(),
      /** Calls out (forward_external, click-to-call) go through this trunk. */
      outbound: d.boolean("outbound").notNull().default(false),
      /** The number presented on calls out through this trunk; null: the call's own caller id. */
      callerIdNumber: d.text("caller_id_number"),
      ...timestamps,
    },
    (t) => [d.uniqueIndex("sip_trunks_name_unique").on(sql`lower(${t.name})`)],
  );

  /**
   * How the edge's registration to each trunk's provider is going, written by
   * the process running the SIP edge and read by the portal (in another
   * bundle, later another process). Not a configuration table: no change counter.
   */
  const sipTrunkRegistrations = d.table("sip_trunk_registrations", {
    trunkId: d.text("trunk_id")
      .primaryKey()
      .references(() => sipTrunks.id, { onDelete: "cascade" }),
    state: d.text("state", { enum: ["registering", "registered", "failing"] }).notNull(),
    /** Why it fails ("401 Unauthorized", "no response"), or null. */
    reason: d.text("reason"),
    /** Until when the provider holds the registration (ISO 8601), while registered. */
    expiresAt: d.text("expires_at"),
    updatedAt: d.text("updated_at").notNull(),
  });

  return {
    users,
    extensions,
    forwardingRules,
    flows,
    flowRevisions,
    phoneNumbers,
    queues,
    agents,
    queueMembers,
    phonebookContacts,
    phonebookNumbers,
    technicalUsers,
    settings,
    configVersions,
    sipCredentials,
    sipTrunks,
    sipTrunkRegistrations,
  };
}

export type CoreTables = ReturnType<typeof coreTables>;
