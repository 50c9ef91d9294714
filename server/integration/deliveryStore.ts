import type { Statement } from "better-sqlite3";
import type pg from "pg";
import { isPostgres, type Db } from "../db/client";
import type { PgDb } from "../db/postgres";
import { PgListener } from "../db/pgListener";
import { inPgTransaction } from "../db/pgTransaction";
import { transaction } from "../db/transaction";
import { claimInTransaction, sqliteClaimSql, type ClaimedRow, type ClaimRequest } from "./deliveryClaim";

/**
 * The delivery worker's and the look-up log's statements, one per dialect and
 * each with its counterpart beside it (as the runtime's record writer keeps
 * them, server/runtime/recordWriter.ts), and one executor per dialect.
 *
 * Leases are fenced by their `lease_until`: a release or a result only
 * applies to a delivery still leased with the value this worker set. A lease
 * that expired and was claimed again by another worker has a later
 * `lease_until` (it is set from a `now` past the old one), so the first
 * worker's late result or release changes nothing.
 */
const statements = {
  /** The payloads of claimed deliveries the payload cache did not hold; the ids as one JSON array. */
  messages: {
    sqlite: `select id, event_type as type, payload from integration_messages where id in (select value from json_each(?))`,
    pg: `select id, event_type as type, payload from integration_messages where id in (select jsonb_array_elements_text($1::jsonb))`,
  },
  reclaimExpiredLeases: {
    sqlite: `update deliveries set status = 'pending', lease_until = null, updated_at = ? where status = 'in_flight' and lease_until <= ?`,
    pg: `update deliveries set status = 'pending', lease_until = null, updated_at = $1 where status = 'in_flight' and lease_until <= $2`,
  },
  /** SQLite only: one process owns the database, so whatever is in flight at start was left by the previous one. */
  releaseAll: {
    sqlite: `update deliveries set status = 'pending', lease_until = null, updated_at = ? where status = 'in_flight'`,
    pg: null,
  },
  release: {
    sqlite: `update deliveries set status = 'pending', lease_until = null, updated_at = ? where id = ? and status = 'in_flight' and lease_until = ?`,
    pg: `update deliveries set status = 'pending', lease_until = null, updated_at = $1 where id = $2 and status = 'in_flight' and lease_until = $3`,
  },
  expireStale: {
    sqlite: `update deliveries set status = 'expired', last_error_class = 'expired', updated_at = ? where status = 'pending' and expires_at is not null and expires_at <= ?`,
    pg: `update deliveries set status = 'expired', last_error_class = 'expired', updated_at = $1 where status = 'pending' and expires_at is not null and expires_at <= $2`,
  },
  /** One delivery's result (SQLite runs it per row, prepared; PostgreSQL saves a whole batch with `finishMany`, one round trip). */
  finish: {
    sqlite: `update deliveries set status = ?, attempts = ?, next_attempt_at = ?, lease_until = null, last_status_code = ?, last_error_class = ?, last_error = ?, updated_at = ?
             where id = ? and status = 'in_flight' and lease_until = ?`,
    pg: null,
  },
  /** The batch as one JSON array of FinishRow objects. */
  finishMany: {
    sqlite: null,
    pg: `update deliveries d set status = r.status, attempts = r.attempts, next_attempt_at = r."nextAttemptAt", lease_until = null, last_status_code = r."statusCode",
           last_error_class = r."errorClass", last_error = r.error, updated_at = r.now
         from jsonb_to_recordset($1::jsonb) as r(id text, "leaseUntil" bigint, status text, attempts bigint, "nextAttemptAt" bigint, "statusCode" bigint, "errorClass" text, error text, now bigint)
         where d.id = r.id and d.status = 'in_flight' and d.lease_until = r."leaseUntil"
         returning d.id`,
  },
  /**
   * A renewal round: every lease the worker holds, extended to one new `lease_until` — each only while it is still
   * in flight with the value this worker set and not yet run out, so a lease that expired or was taken over is never
   * extended back. The held leases as one JSON array of `{id, leaseUntil}`; returns the ids renewed.
   */
  renew: {
    sqlite: `update deliveries set lease_until = ?
             from (select json_extract(value, '$.id') as id, json_extract(value, '$.leaseUntil') as lease from json_each(?)) as held
             where deliveries.id = held.id and deliveries.status = 'in_flight' and deliveries.lease_until = held.lease and deliveries.lease_until > ?
             returning deliveries.id`,
    pg: `update deliveries d set lease_until = $1
         from jsonb_to_recordset($2::jsonb) as held(id text, "leaseUntil" bigint)
         where d.id = held.id and d.status = 'in_flight' and d.lease_until = held."leaseUntil" and d.lease_until > $3
         returning d.id`,
  },
  disableGone: {
    sqlite: `update outbound_apis set enabled = 0, disabled_reason = 'gone', updated_at = ? where id = ?`,
    pg: `update outbound_apis set enabled = false, disabled_reason = 'gone', updated_at = $1 where id = $2`,
  },
  lookupMessage: {
    sqlite: `insert into integration_messages (id, event_type, conversation_id, payload, created_at) values (?, 'call.lookup', ?, ?, ?)`,
    pg: `insert into integration_messages (id, event_type, conversation_id, payload, created_at) values ($1, 'call.lookup', $2, $3, $4)`,
  },
  lookupDelivery: {
    sqlite: `insert into deliveries (id, message_id, outbound_api_id, status, attempts, next_attempt_at, last_status_code, last_error_class, last_error, created_at, updated_at)
             values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    pg: `insert into deliveries (id, message_id, outbound_api_id, status, attempts, next_attempt_at, last_status_code, last_error_class, last_error, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
  },
} as const satisfies Record<string, { sqlite: string | null; pg: string | null }>;

export type DeliveryStatement = keyof typeof statements;
export type Params = ReadonlyArray<string | number | null>;

/** delivery_id, attempt_no, started_at, latency_ms, status_code, error_class, error, response_body */
export type AttemptRow = [string, number, number, number, number | null, string | null, string | null, string | null];

/** A result to save: the delivery's new state, applied only while this worker's lease (`leaseUntil`) still holds. */
export interface FinishRow {
  id: string;
  leaseUntil: number;
  status: string;
  attempts: number;
  nextAttemptAt: number;
  statusCode: number | null;
  errorClass: string | null;
  error: string | null;
  now: number;
}

/** A lease the worker holds, as the renewal fences it. */
export interface HeldLease {
  id: string;
  leaseUntil: number;
}

/** Channel of drizzle/pg/0010's trigger: a delivery became due (inserted pending, or resent). */
const DUE_CHANNEL = "deliveries_due";

/** Attempt rows go in multi-row inserts of at most this many rows. */
const ATTEMPTS_PER_INSERT = 32;
const ATTEMPT_COLUMNS = 8;

function insertAttemptsSql(rows: number, dialect: "sqlite" | "pg"): string {
  const tuples = Array.from({ length: rows }, (_, row) =>
    dialect === "sqlite" ? "(?, ?, ?, ?, ?, ?, ?, ?)" : `(${Array.from({ length: ATTEMPT_COLUMNS }, (_, column) => `$${row * ATTEMPT_COLUMNS + column + 1}`).join(", ")})`,
  );
  return `insert into delivery_attempts (delivery_id, attempt_no, started_at, latency_ms, status_code, error_class, error, response_body) values ${tuples.join(", ")}`;
}

/** What the worker and the look-up log do to the database, the same on both dialects. */
export interface DeliveryStore {
  /** Several workers may share this outbox (PostgreSQL): leases are only ever reclaimed when they expire. */
  readonly shared: boolean;
  /** Runs a write; resolves to the rows it changed. */
  run(statement: DeliveryStatement, params: Params): Promise<number>;
  rows<Row>(statement: DeliveryStatement, params: Params): Promise<Row[]>;
  /** Leases due deliveries of one endpoint (deliveryClaim.ts). */
  claim(request: ClaimRequest): Promise<ClaimedRow[]>;
  insertAttempts(rows: AttemptRow[]): Promise<void>;
  /** Saves results; resolves to the ids saved (the others were no longer this worker's). */
  finish(rows: FinishRow[]): Promise<string[]>;
  /** Extends the given leases to `leaseUntil` in one statement; resolves to the ids renewed (the others are lost). */
  renew(held: HeldLease[], leaseUntil: number, now: number): Promise<string[]>;
  /**
   * PostgreSQL: calls `due` whenever a committed transaction made a delivery due (drizzle/pg/0010), and after every
   * LISTEN — the first and each after a lost connection, whose notifications are gone — so the caller looks at
   * once. Null on SQLite: one process, whose outbox wakes its worker itself.
   */
  listenForDue(due: () => void): Promise<PgListener | null>;
  /** `work`'s statements (made through the store it is given) commit together, or none does. */
  transaction<T>(work: (tx: DeliveryStore) => Promise<T>): Promise<T>;
}

/**
 * SQLite: prepared once; a statement runs synchronously inside the async
 * method, so a caller that does not await still has it done (a stop right
 * before the process exits). Transactions go through the shared async helper
 * (server/db/transaction.ts), which serialises them with every service's.
 */
class SqliteDeliveryStore implements DeliveryStore {
  readonly shared = false;
  private readonly prepared = new Map<DeliveryStatement, Statement>();
  private readonly claimStatement: Statement;
  private readonly attemptInserts = new Map<number, Statement>();

  constructor(private readonly db: Db) {
    this.claimStatement = db.$client.prepare(sqliteClaimSql);
    for (const [name, sql] of Object.entries(statements)) if (sql.sqlite !== null) this.prepared.set(name as DeliveryStatement, db.$client.prepare(sql.sqlite));
  }

  async run(statement: DeliveryStatement, params: Params): Promise<number> {
    return this.statement(statement).run(...params).changes;
  }

  async rows<Row>(statement: DeliveryStatement, params: Params): Promise<Row[]> {
    return this.statement(statement).all(...params) as Row[];
  }

  async claim(request: ClaimRequest): Promise<ClaimedRow[]> {
    return this.claimStatement.all(request.leaseUntil, request.now, request.apiId, request.now, request.wanted) as ClaimedRow[];
  }

  async insertAttempts(rows: AttemptRow[]): Promise<void> {
    for (let start = 0; start < rows.length; start += ATTEMPTS_PER_INSERT) {
      const chunk = rows.slice(start, start + ATTEMPTS_PER_INSERT);
      let insert = this.attemptInserts.get(chunk.length);
      if (!insert) {
        insert = this.db.$client.prepare(insertAttemptsSql(chunk.length, "sqlite"));
        this.attemptInserts.set(chunk.length, insert);
      }
      insert.run(chunk.flat());
    }
  }

  async finish(rows: FinishRow[]): Promise<string[]> {
    const finish = this.statement("finish");
    return rows
      .filter((r) => finish.run(r.status, r.attempts, r.nextAttemptAt, r.statusCode, r.errorClass, r.error, r.now, r.id, r.leaseUntil).changes > 0)
      .map((r) => r.id);
  }

  async renew(held: HeldLease[], leaseUntil: number, now: number): Promise<string[]> {
    if (held.length === 0) return [];
    return (this.statement("renew").all(leaseUntil, JSON.stringify(held), now) as Array<{ id: string }>).map((row) => row.id);
  }

  async listenForDue(): Promise<null> {
    return null;
  }

  transaction<T>(work: (tx: DeliveryStore) => Promise<T>): Promise<T> {
    return transaction(this.db, () => work(this));
  }

  private statement(name: DeliveryStatement): Statement {
    const statement = this.prepared.get(name);
    if (!statement) throw new Error(`${name} has no SQLite statement`);
    return statement;
  }
}

/** PostgreSQL: statements on the pool, or on one pooled connection inside a transaction. */
class PgDeliveryStore implements DeliveryStore {
  readonly shared = true;

  constructor(
    private readonly pool: pg.Pool,
    private readonly client: pg.ClientBase | null = null,
  ) {}

  async run(statement: DeliveryStatement, params: Params): Promise<number> {
    return (await this.query(statement, params)).rowCount ?? 0;
  }

  async rows<Row>(statement: DeliveryStatement, params: Params): Promise<Row[]> {
    return (await this.query(statement, params)).rows as Row[];
  }

  claim(request: ClaimRequest): Promise<ClaimedRow[]> {
    // The claim's advisory lock is held until its transaction ends: inside the caller's, or one of its own.
    if (this.client) return claimInTransaction(this.client, request);
    return inPgTransaction(this.pool, (client) => claimInTransaction(client, request));
  }

  async insertAttempts(rows: AttemptRow[]): Promise<void> {
    for (let start = 0; start < rows.length; start += ATTEMPTS_PER_INSERT) {
      const chunk = rows.slice(start, start + ATTEMPTS_PER_INSERT);
      await (this.client ?? this.pool).query(insertAttemptsSql(chunk.length, "pg"), chunk.flat());
    }
  }

  async finish(rows: FinishRow[]): Promise<string[]> {
    if (rows.length === 0) return [];
    return (await this.rows<{ id: string }>("finishMany", [JSON.stringify(rows)])).map((row) => row.id);
  }

  async renew(held: HeldLease[], leaseUntil: number, now: number): Promise<string[]> {
    if (held.length === 0) return [];
    return (await this.rows<{ id: string }>("renew", [leaseUntil, JSON.stringify(held), now])).map((row) => row.id);
  }

  listenForDue(due: () => void): Promise<PgListener> {
    return PgListener.start(this.pool, DUE_CHANNEL, { onNotification: due, onListening: due });
  }

  transaction<T>(work: (tx: DeliveryStore) => Promise<T>): Promise<T> {
    if (this.client) return work(this);
    return inPgTransaction(this.pool, (client) => work(new PgDeliveryStore(this.pool, client)));
  }

  private query(statement: DeliveryStatement, params: Params): Promise<pg.QueryResult> {
    const sql = statements[statement].pg;
    if (sql === null) throw new Error(`${statement} has no PostgreSQL statement`);
    return (this.client ?? this.pool).query(sql, params as unknown[]);
  }
}

// One store per database (prepared statements are per connection); any bundle's copy is as good as another's.
const stores = new WeakMap<object, DeliveryStore>();

export function deliveryStoreFor(db: Db | PgDb): DeliveryStore {
  let store = stores.get(db);
  if (!store) {
    store = isPostgres(db) ? new PgDeliveryStore(db.$client) : new SqliteDeliveryStore(db);
    stores.set(db, store);
  }
  return store;
}
