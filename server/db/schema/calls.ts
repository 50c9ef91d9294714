import { index, integer, primaryKey, real, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { agents } from "./core";

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
