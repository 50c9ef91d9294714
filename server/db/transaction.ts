import { AsyncLocalStorage } from "node:async_hooks";
import type Database from "better-sqlite3";
import { isPostgres, type Db } from "./client";

/**
 * One transaction helper for the asynchronous data layer: `await transaction(db, async (tx) => …)`.
 *
 * On SQLite the whole process shares one connection, and Drizzle's better-sqlite3
 * `db.transaction` refuses async callbacks, so this runs BEGIN IMMEDIATE, awaits
 * the callback and COMMITs (ROLLBACK on throw) on that connection itself, with
 * three guards (server/db/README.md, "Asynchronous data layer", says why):
 *  - an async mutex per connection serialises transactions;
 *  - a transaction must finish within the macrotask that began it, because the
 *    call runtime writes synchronously from timers and I/O callbacks on the same
 *    connection and such a write would land inside the open transaction;
 *  - while one is open, a statement prepared from another async chain (a
 *    concurrent tRPC procedure in the same macrotask) fails loudly instead of
 *    silently joining — and possibly being rolled back with — someone else's transaction.
 */
export async function transaction<T>(db: Db, work: (tx: Db) => Promise<T>): Promise<T> {
  // PostgreSQL: Drizzle's own async transaction on a pooled connection of its own (nesting becomes a savepoint); none of SQLite's guards apply.
  if (isPostgres(db)) return db.transaction((tx) => work(tx as unknown as Db));
  const state = guardedConnection(db.$client);
  const current = transactionContext.getStore();
  if (current?.connection === state) return savepoint(db, state, work);
  const release = await state.lock();
  try {
    return await runExclusive(db, state, work);
  } finally {
    release();
  }
}

/** Whether the caller runs inside an open transaction on `db` (for code that must not start its own). */
export function inTransaction(db: Db): boolean {
  // PostgreSQL: a transaction works on its own `tx`; the pooled database itself never is inside one.
  if (isPostgres(db)) return false;
  return transactionContext.getStore()?.connection === guardedConnection(db.$client);
}

export class TransactionGuardError extends Error {
  override name = "TransactionGuardError";
}

interface ConnectionState {
  /** The async context of the open transaction, or null when none is open. */
  open: TransactionToken | null;
  lock(): Promise<() => void>;
}

interface TransactionToken {
  connection: ConnectionState;
  savepoints: number;
}

// On globalThis: each Next bundle has its own copy of this module but they share the connection, and the
// prepare guard installed by one bundle must see the transaction context another bundle opened.
const globalForTransactions = globalThis as unknown as {
  switchboardTransactionState?: WeakMap<Database.Database, ConnectionState>;
  switchboardTransactionContext?: AsyncLocalStorage<TransactionToken>;
};
const transactionContext = (globalForTransactions.switchboardTransactionContext ??= new AsyncLocalStorage<TransactionToken>());

function guardedConnection(sqlite: Database.Database): ConnectionState {
  const states = (globalForTransactions.switchboardTransactionState ??= new WeakMap());
  let state = states.get(sqlite);
  if (!state) {
    state = { open: null, lock: asyncMutex() };
    states.set(sqlite, state);
    refuseOutsideStatements(sqlite, state);
  }
  return state;
}

/** Wraps the connection's `prepare` once: Drizzle prepares every query it runs, so this sees each of them. */
function refuseOutsideStatements(sqlite: Database.Database, state: ConnectionState): void {
  const prepare = sqlite.prepare.bind(sqlite);
  sqlite.prepare = ((source: string) => {
    if (state.open && transactionContext.getStore() !== state.open) {
      throw new TransactionGuardError(
        "A statement ran on the database from outside the open transaction (a concurrent async chain). " +
          "Await the transaction before querying, or run the query inside it.",
      );
    }
    return prepare(source);
  }) as typeof sqlite.prepare;
}

async function runExclusive<T>(db: Db, state: ConnectionState, work: (tx: Db) => Promise<T>): Promise<T> {
  const token: TransactionToken = { connection: state, savepoints: 0 };
  let crossedMacrotask = false;
  // The raw exec bypasses the prepare guard; the transaction owns the connection from here.
  db.$client.exec("BEGIN IMMEDIATE");
  state.open = token;
  const tick = setImmediate(() => {
    crossedMacrotask = true;
  });
  try {
    const result = await transactionContext.run(token, () => work(db));
    if (crossedMacrotask) {
      throw new TransactionGuardError(
        "A transaction stayed open across a macrotask (it awaited a timer, I/O or another non-database promise). " +
          "Do that work before or after the transaction: the runtime's synchronous writes would land inside it.",
      );
    }
    db.$client.exec("COMMIT");
    return result;
  } catch (error) {
    if (db.$client.inTransaction) db.$client.exec("ROLLBACK");
    throw error;
  } finally {
    clearImmediate(tick);
    state.open = null;
  }
}

async function savepoint<T>(db: Db, state: ConnectionState, work: (tx: Db) => Promise<T>): Promise<T> {
  const token = state.open!;
  const name = `sp${++token.savepoints}`;
  db.$client.exec(`SAVEPOINT ${name}`);
  try {
    const result = await work(db);
    db.$client.exec(`RELEASE ${name}`);
    return result;
  } catch (error) {
    db.$client.exec(`ROLLBACK TO ${name}`);
    db.$client.exec(`RELEASE ${name}`);
    throw error;
  }
}

/** A FIFO lock: each caller waits for the previous holder's release. */
function asyncMutex(): () => Promise<() => void> {
  let tail: Promise<void> = Promise.resolve();
  return () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const ready = tail;
    tail = tail.then(() => held);
    return ready.then(() => release);
  };
}

/** Rows a write changed, from SQLite's `changes` or node-postgres' `rowCount`. */
export function affectedRows(result: unknown): number {
  const { changes, rowCount } = (result ?? {}) as { changes?: number; rowCount?: number | null };
  return changes ?? rowCount ?? 0;
}
