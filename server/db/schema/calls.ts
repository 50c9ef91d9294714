import type { Dialect } from "./dialect";
import type { CoreTables } from "./core";

export function callTables(d: Dialect, { agents }: Pick<CoreTables, "agents">) {
  // ── calls ─────────────────────────────────────────────────────────────
  // The call model's records. A CDR row keeps the whole CDR (API.md §CDR) as JSON
  // plus the columns that history queries filter and sort on.

  const cdrs = d.table(
    "cdrs",
    {
      cdrId: d.text("cdr_id").primaryKey(),
      conversationId: d.text("conversation_id").notNull(),
      callId: d.text("call_id").notNull(),
      sequence: d.integer("sequence").notNull(),
      isFinal: d.boolean("is_final").notNull(),
      direction: d.text("direction").notNull(),
      disposition: d.text("disposition").notNull(),
      callerNumber: d.text("caller_number").notNull(),
      calledNumber: d.text("called_number").notNull(),
      startedAt: d.text("started_at").notNull(),
      endedAt: d.text("ended_at").notNull(),
      document: d.json("document").$type<unknown>().notNull(),
    },
    (t) => [d.index("cdrs_conversation_idx").on(t.conversationId), d.index("cdrs_ended_idx").on(t.endedAt, t.cdrId)],
  );

  /** Which extensions took part in a CDR (requested, answered, transferred, forwarded): the `?extension=` filter. */
  const cdrExtensions = d.table(
    "cdr_extensions",
    {
      cdrId: d.text("cdr_id")
        .notNull()
        .references(() => cdrs.cdrId, { onDelete: "cascade" }),
      extension: d.text("extension").notNull(),
    },
    (t) => [d.primaryKey({ columns: [t.cdrId, t.extension] }), d.index("cdr_extensions_extension_idx").on(t.extension)],
  );

  /**
   * The runtime processes alive now (server/runtime/README.md, "Several processes"): where the others reach
   * each one and its heartbeat. `heartbeat_count` goes up by one on every beat; a runtime whose count another
   * has not seen move for the stale period (on the observer's own clock) crashed, and that one claims its open
   * calls and deletes the row. `heartbeat_at` (epoch ms on the runtime's own clock) is for people reading the
   * table; no decision compares it, since the machines' clocks need not agree. `lookup_breakers`: the look-up
   * circuit breakers this runtime has not closed, `{ outboundApiId: "open" | "half_open" }`, written with each
   * beat so processes without a runtime show them (server/services/overview.ts); null when all are closed.
   */
  const runtimeInstances = d.table("runtime_instances", {
    id: d.text("id").primaryKey(),
    internalUrl: d.text("internal_url").notNull(),
    roles: d.text("roles").notNull(),
    startedAt: d.text("started_at").notNull(),
    heartbeatAt: d.integer("heartbeat_at").notNull(),
    heartbeatCount: d.integer("heartbeat_count").notNull().default(0),
    lookupBreakers: d.json("lookup_breakers").$type<Record<string, "open" | "half_open">>(),
  });

  /**
   * Calls in progress. Written when a call starts, deleted in the transaction that writes its final CDR; rows
   * left after a crash are closed on restart, or by another runtime once the owner's heartbeat stops.
   * `runtime_id`: the runtime that owns the call (null: written before runtimes registered, any runtime may close it).
   */
  const openCalls = d.table(
    "open_calls",
    {
      callId: d.text("call_id").primaryKey(),
      snapshot: d.json("snapshot").$type<unknown>().notNull(),
      startedAt: d.text("started_at").notNull(),
      /**
       * PostgreSQL: the call as the live views show it, kept current by the
       * runtime that owns it (server/db/README.md, "Shared between processes"), so a portal process
       * without the runtime can list it. Null on SQLite, whose portal reads the
       * runtime's memory.
       */
      liveView: d.json("live_view").$type<unknown>(),
      runtimeId: d.text("runtime_id"),
    },
    (t) => [d.index("open_calls_runtime_idx").on(t.runtimeId)],
  );

  /** The step trace of a call's flow run, kept for replay on the canvas. */
  const callTraces = d.table(
    "call_traces",
    {
      callId: d.text("call_id").primaryKey(),
      conversationId: d.text("conversation_id").notNull(),
      flowId: d.text("flow_id"),
      revision: d.integer("revision"),
      outcome: d.text("outcome").notNull(),
      steps: d.json("steps").$type<unknown[]>().notNull(),
      createdAt: d.text("created_at").notNull(),
    },
    (t) => [d.index("call_traces_conversation_idx").on(t.conversationId)],
  );

  const recordings = d.table(
    "recordings",
    {
      code: d.text("code").primaryKey(),
      conversationId: d.text("conversation_id").notNull(),
      kind: d.text("kind", { enum: ["call", "voicemail"] }).notNull(),
      mailboxExtension: d.text("mailbox_extension"),
      format: d.text("format").notNull(),
      durationS: d.real("duration_s").notNull(),
      sizeBytes: d.integer("size_bytes").notNull(),
      sha256: d.text("sha256").notNull(),
      createdAt: d.text("created_at").notNull(),
    },
    (t) => [d.index("recordings_conversation_idx").on(t.conversationId)],
  );

  /** Append-only agent state history: time-in-state reports are computed from it. */
  const agentStateHistory = d.table(
    "agent_state_history",
    {
      id: d.autoIncrementId("id"),
      agentId: d.text("agent_id")
        .notNull()
        .references(() => agents.id, { onDelete: "cascade" }),
      status: d.text("status", { enum: ["logged_out", "available", "paused", "on_call", "wrap_up"] }).notNull(),
      pauseReason: d.text("pause_reason"),
      at: d.text("at").notNull(),
    },
    (t) => [d.index("agent_state_history_agent_at_idx").on(t.agentId, t.at)],
  );

  return { cdrs, cdrExtensions, runtimeInstances, openCalls, callTraces, recordings, agentStateHistory };
}
