import type pg from "pg";
import { componentLogger } from "../logger";
import { inPgTransaction } from "../db/pgTransaction";
import type { DialectStatements, RecordWriter, RuntimeRead, RuntimeWrite, WriteParams } from "./recordWriter";

interface Unit {
  statements: Array<{ text: string; values: WriteParams }>;
  /** Run once the unit is committed. */
  committed: Array<() => void>;
}

export interface PgFlushOptions {
  /** How long writes wait for company before a flush (the most a crash can lose); default 10 ms. */
  intervalMs?: number;
  /** Units committed in one transaction at most. */
  maxUnitsPerTransaction?: number;
  /** Wait before retrying after the database was unreachable. */
  retryMs?: number;
}

const log = componentLogger("runtime-store");

/** SQLSTATE classes 22 (data exception) and 23 (integrity violation): retrying the same unit can never succeed. */
function isPermanent(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && (code.startsWith("22") || code.startsWith("23"));
}

/**
 * PostgreSQL: the PBX stays synchronous, so each event's writes are collected
 * into a unit and queued in event order; one flusher commits the queue in
 * transactions of whole units, in order (a unit never spans two
 * transactions: the final CDR, its outbox rows and the open-call removal
 * commit together). What a crash loses is what was still queued — at most
 * one flush interval of events (server/runtime/README.md).
 */
export class PgRecordWriter implements RecordWriter {
  private readonly queue: Unit[] = [];
  private current: Unit | null = null;
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  stopped = false;
  private readonly intervalMs: number;
  private readonly maxUnits: number;
  private readonly retryMs: number;

  constructor(
    private readonly pool: pg.Pool,
    private readonly sql: DialectStatements,
    options: PgFlushOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 10;
    this.maxUnits = options.maxUnitsPerTransaction ?? 200;
    this.retryMs = options.retryMs ?? 500;
  }

  atomically(record: () => void): void {
    if (this.current) {
      record();
      return;
    }
    const unit: Unit = { statements: [], committed: [] };
    this.current = unit;
    try {
      record();
    } finally {
      this.current = null;
    }
    // A unit whose recording threw is dropped whole, as SQLite rolls its transaction back.
    this.enqueue(unit);
  }

  write(statement: RuntimeWrite, params: WriteParams): void {
    const entry = { text: this.sql.writes[statement], values: params };
    if (this.current) this.current.statements.push(entry);
    else this.enqueue({ statements: [entry], committed: [] });
  }

  afterCommit(then: () => void): void {
    const unit = this.current ?? this.queue.at(-1);
    if (unit) unit.committed.push(then);
    else queueMicrotask(then);
  }

  async read<Row>(query: RuntimeRead, params: WriteParams = []): Promise<Row[]> {
    const result = await this.pool.query(this.sql.reads[query], params as unknown[]);
    return result.rows as Row[];
  }

  /** Commits everything queued so far (and waits for it). */
  durable(): Promise<void> {
    this.flushing = this.flushing.then(() => this.drain());
    return this.flushing;
  }

  /** Stops flushing; what is still queued is never written (a crash, in tests; a normal stop calls `durable` first). */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Units waiting to be committed. */
  get pending(): number {
    return this.queue.length;
  }

  private enqueue(unit: Unit): void {
    if (unit.statements.length === 0 && unit.committed.length === 0) return;
    this.queue.push(unit);
    if (!this.timer && !this.stopped) {
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.durable();
      }, this.intervalMs);
      this.timer.unref();
    }
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0 && !this.stopped) {
      const batch = this.queue.slice(0, this.maxUnits);
      try {
        await this.commit(batch);
        this.committed(batch.length);
      } catch (error) {
        if (isPermanent(error)) await this.commitOneByOne(batch.length);
        else await this.waitAfter(error);
      }
    }
  }

  /** A batch refused for its data: each unit on its own, so one bad event does not take its neighbours with it. */
  private async commitOneByOne(units: number): Promise<void> {
    for (let i = 0; i < units && !this.stopped; i++) {
      const [unit] = this.queue;
      try {
        await this.commit([unit]);
      } catch (error) {
        if (!isPermanent(error)) return this.waitAfter(error);
        log.error({ err: (error as Error).message, statements: unit.statements.length }, "a call record was refused by PostgreSQL and dropped");
      }
      this.committed(1);
    }
  }

  /** The first `units` queued units are done: off the queue, and whoever waited for them is told. */
  private committed(units: number): void {
    for (const unit of this.queue.splice(0, units)) for (const then of unit.committed) then();
  }

  private async waitAfter(error: unknown): Promise<void> {
    log.warn({ err: (error as Error).message, units: this.queue.length }, "PostgreSQL unreachable; call records stay queued");
    await new Promise((resolve) => setTimeout(resolve, this.retryMs));
  }

  private commit(units: Unit[]): Promise<void> {
    return inPgTransaction(this.pool, async (client) => {
      for (const unit of units) for (const statement of unit.statements) await client.query(statement.text, statement.values as unknown[]);
    });
  }
}
