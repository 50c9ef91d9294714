import type { Statement } from "better-sqlite3";
import { isPostgres, type Db } from "../db/client";
import type { PgDb } from "../db/postgres";
import { PgRecordWriter } from "./pgRecordWriter";

/**
 * What the call runtime records, separated from how a dialect writes it
 * (server/runtime/README.md, "The runtime on PostgreSQL"). The call store and
 * the CRM outbox name a write and give its parameters; each dialect has one
 * statement per write, here and nowhere else.
 *
 * Parameters are positional and plain (text, numbers, null): booleans travel
 * as 0/1, which SQLite stores as is and PostgreSQL's statements cast.
 */
const writes = {
  cdr: {
    sqlite: `insert or ignore into cdrs (cdr_id, conversation_id, call_id, sequence, is_final, direction, disposition, caller_number, called_number, started_at, ended_at, document)
             values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    pg: `insert into cdrs (cdr_id, conversation_id, call_id, sequence, is_final, direction, disposition, caller_number, called_number, started_at, ended_at, document)
         values ($1, $2, $3, $4, $5::integer = 1, $6, $7, $8, $9, $10, $11, $12) on conflict do nothing`,
  },
  cdrExtension: {
    sqlite: `insert or ignore into cdr_extensions (cdr_id, extension) values (?, ?)`,
    pg: `insert into cdr_extensions (cdr_id, extension) values ($1, $2) on conflict do nothing`,
  },
  recording: {
    sqlite: `insert or ignore into recordings (code, conversation_id, kind, mailbox_extension, format, duration_s, size_bytes, sha256, created_at)
             values (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    pg: `insert into recordings (code, conversation_id, kind, mailbox_extension, format, duration_s, size_bytes, sha256, created_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9) on conflict do nothing`,
  },
  openCall: {
    sqlite: `insert or replace into open_calls (call_id, snapshot, started_at, runtime_id) values (?, ?, ?, ?)`,
    pg: `insert into open_calls (call_id, snapshot, started_at, runtime_id) values ($1, $2, $3, $4)
         on conflict (call_id) do update set snapshot = excluded.snapshot, started_at = excluded.started_at, runtime_id = excluded.runtime_id`,
  },
  /** PostgreSQL: the call as the live views show it (server/live/liveCallViews.ts); the open_calls trigger notifies them. */
  liveCallView: {
    sqlite: `update open_calls set live_view = ? where call_id = ?`,
    pg: `update open_calls set live_view = $1 where call_id = $2`,
  },
  closeOpenCall: {
    sqlite: `delete from open_calls where call_id = ?`,
    pg: `delete from open_calls where call_id = $1`,
  },
  agentState: {
    sqlite: `insert into agent_state_history (agent_id, status, pause_reason, at) values (?, ?, ?, ?)`,
    pg: `insert into agent_state_history (agent_id, status, pause_reason, at) values ($1, $2, $3, $4)`,
  },
  trace: {
    sqlite: `insert or replace into call_traces (call_id, conversation_id, flow_id, revision, outcome, steps, created_at) values (?, ?, ?, ?, ?, ?, ?)`,
    pg: `insert into call_traces (call_id, conversation_id, flow_id, revision, outcome, steps, created_at) values ($1, $2, $3, $4, $5, $6, $7)
         on conflict (call_id) do update set conversation_id = excluded.conversation_id, flow_id = excluded.flow_id, revision = excluded.revision,
           outcome = excluded.outcome, steps = excluded.steps, created_at = excluded.created_at`,
  },
  message: {
    sqlite: `insert into integration_messages (id, event_type, conversation_id, payload, created_at) values (?, ?, ?, ?, ?)`,
    pg: `insert into integration_messages (id, event_type, conversation_id, payload, created_at) values ($1, $2, $3, $4, $5)`,
  },
  delivery: {
    sqlite: `insert into deliveries (id, message_id, outbound_api_id, status, attempts, next_attempt_at, expires_at, created_at, updated_at)
             values (?, ?, ?, 'pending', 0, ?, ?, ?, ?)`,
    pg: `insert into deliveries (id, message_id, outbound_api_id, status, attempts, next_attempt_at, expires_at, created_at, updated_at)
         values ($1, $2, $3, 'pending', 0, $4, $5, $6, $7)`,
  },
  markCallData: {
    sqlite: `insert or ignore into call_data_requests (conversation_id, outbound_api_id, node_id, created_at) values (?, ?, ?, ?)`,
    pg: `insert into call_data_requests (conversation_id, outbound_api_id, node_id, created_at) values ($1, $2, $3, $4) on conflict do nothing`,
  },
  clearCallData: {
    sqlite: `delete from call_data_requests where conversation_id = ?`,
    pg: `delete from call_data_requests where conversation_id = $1`,
  },
} as const satisfies Record<string, DialectSql>;

/** Start-up reads: asynchronous on both dialects (PostgreSQL clients are). Column names are the same on both. */
const reads = {
  /**
   * Takes over the open calls no live runtime owns — owner null, or without a `runtime_instances` row (the
   * registry deletes a dead runtime's row first, registry.ts), or any other owner when the third parameter is 1
   * (one process) — and returns them. One UPDATE, so two runtimes never both get a call: on PostgreSQL the
   * second waits for the first's row lock, re-checks the condition, finds the new owner registered and skips the
   * row. Parameters (positional on both): id, id, every call (1/0).
   */
  claimOpenCalls: {
    sqlite: `update open_calls set runtime_id = ?
             where coalesce(runtime_id, '') <> ?
               and (? = 1 or runtime_id is null or runtime_id not in (select id from runtime_instances))
             returning snapshot`,
    pg: `update open_calls set runtime_id = $1
         where coalesce(runtime_id, '') <> $2
           and ($3 = 1 or runtime_id is null or runtime_id not in (select id from runtime_instances))
         returning snapshot`,
  },

  conversationCdrs: {
    sqlite: `select document from cdrs where conversation_id = ? order by sequence`,
    pg: `select document from cdrs where conversation_id = $1 order by sequence`,
  },
  agentsNotLoggedOut: {
    sqlite: `select h.agent_id as "agentId" from agent_state_history h
             where h.id = (select max(id) from agent_state_history where agent_id = h.agent_id) and h.status <> 'logged_out'`,
    pg: `select h.agent_id as "agentId" from agent_state_history h
         where h.id = (select max(id) from agent_state_history where agent_id = h.agent_id) and h.status <> 'logged_out'`,
  },
  callDataMarks: {
    sqlite: `select conversation_id as "conversationId", outbound_api_id as "outboundApiId" from call_data_requests`,
    pg: `select conversation_id as "conversationId", outbound_api_id as "outboundApiId" from call_data_requests`,
  },
} as const satisfies Record<string, DialectSql>;

interface DialectSql {
  sqlite: string;
  pg: string;
}

export type RuntimeWrite = keyof typeof writes;
export type RuntimeRead = keyof typeof reads;
export type WriteParams = ReadonlyArray<string | number | null>;

/** SQL of each write and read for one dialect (PgRecordWriter takes PostgreSQL's). */
export type DialectStatements = { writes: Record<RuntimeWrite, string>; reads: Record<RuntimeRead, string> };

function statementsOf(dialect: keyof DialectSql): DialectStatements {
  const pick = <K extends string>(table: Record<K, DialectSql>) =>
    Object.fromEntries(Object.entries<DialectSql>(table).map(([name, sql]) => [name, sql[dialect]])) as Record<K, string>;
  return { writes: pick(writes), reads: pick(reads) };
}

/**
 * One small writer per database: the only place the runtime's records meet a
 * dialect. The call store and the outbox share it (`recordWriterFor`), so the
 * writes of one event land in one transaction whoever makes them.
 */
export interface RecordWriter {
  /** The writes `record` makes form one unit: all of them are stored, or none. */
  atomically(record: () => void): void;
  write(statement: RuntimeWrite, params: WriteParams): void;
  /** Runs `then` once every write made so far is committed (the delivery worker wakes up). */
  afterCommit(then: () => void): void;
  read<Row>(query: RuntimeRead, params?: WriteParams): Promise<Row[]>;
  /** Resolves when every write made so far is committed (at once on SQLite). */
  durable(): Promise<void>;
  /** A stopped writer takes no more writes to the database; the next `recordWriterFor` makes a new one. */
  readonly stopped: boolean;
}

/**
 * SQLite: every write executes at once, a unit is a synchronous transaction —
 * the same prepared statements and guarantees as when the call store issued
 * them itself.
 */
class SqliteRecordWriter implements RecordWriter {
  private readonly writes: Record<RuntimeWrite, Statement>;
  private readonly reads: Record<RuntimeRead, Statement>;
  private readonly transaction: (record: () => void) => void;

  constructor(db: Db) {
    const sqlite = db.$client;
    const sql = statementsOf("sqlite");
    const prepare = <K extends string>(table: Record<K, string>) =>
      Object.fromEntries(Object.entries<string>(table).map(([name, text]) => [name, sqlite.prepare(text)])) as Record<K, Statement>;
    this.writes = prepare(sql.writes);
    this.reads = prepare(sql.reads);
    this.transaction = sqlite.transaction((record: () => void) => record());
  }

  atomically(record: () => void): void {
    this.transaction(record);
  }

  write(statement: RuntimeWrite, params: WriteParams): void {
    this.writes[statement].run(...params);
  }

  afterCommit(then: () => void): void {
    then();
  }

  async read<Row>(query: RuntimeRead, params: WriteParams = []): Promise<Row[]> {
    return this.reads[query].all(...params) as Row[];
  }

  async durable(): Promise<void> {}

  readonly stopped = false;
}


// One writer per connection, so every component of a process that records call events queues into the same order.
const writersByDb = new WeakMap<object, RecordWriter>();

/** The writer of this database (created on first use): SQLite executes at once, PostgreSQL queues and flushes. */
export function recordWriterFor(db: Db | PgDb): RecordWriter {
  let writer = writersByDb.get(db);
  if (!writer || writer.stopped) {
    writer = isPostgres(db) ? new PgRecordWriter(db.$client, statementsOf("pg")) : new SqliteRecordWriter(db);
    writersByDb.set(db, writer);
  }
  return writer;
}
