import type pg from "pg";
import { componentLogger } from "../logger";

const log = componentLogger("pg-listen");

export interface PgListenerOptions {
  /** A notification's payload (the channel's only). */
  onNotification(payload: string): void;
  /**
   * Runs after each LISTEN, the first and every one after a lost connection,
   * before notifications are handed on: read the state here. Listening first
   * means no change falls between the read and the stream; after a loss it
   * is the only way to learn what the notifications sent meanwhile said.
   */
  onListening(client: pg.PoolClient, reconnected: boolean): Promise<void> | void;
  reconnectMs?: number;
}

/**
 * One LISTEN connection of this process on one channel, taken from the pool
 * and re-established after a loss (every `reconnectMs` until it succeeds).
 * The snapshot-then-stream rule lives here once, for every PostgreSQL
 * listener (configuration counters, live views).
 */
export class PgListener {
  private client: pg.PoolClient | null = null;
  private closed = false;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly channel: string,
    private readonly options: PgListenerOptions,
  ) {}

  /** Resolves once listening and `onListening` has run. */
  static async start(pool: pg.Pool, channel: string, options: PgListenerOptions): Promise<PgListener> {
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`not a channel name: ${channel}`);
    const listener = new PgListener(pool, channel, options);
    await listener.listen(false);
    return listener;
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = null;
    if (!client) return;
    // Closed rather than returned to the pool: the pool would hand the connection out again with this listener's
    // handlers still attached (a worker stopped and started again would be woken twice, and warnings pile up).
    client.release(true);
  }

  /** Tests: drop the connection as a network failure would. */
  breakConnectionForTests(): void {
    this.client?.emit("error", new Error("connection lost (test)"));
  }

  private async listen(reconnected: boolean): Promise<void> {
    const client = await this.pool.connect();
    let ready = false;
    const held: string[] = [];
    client.on("notification", (message) => {
      if (message.channel !== this.channel || message.payload === undefined) return;
      if (ready) this.options.onNotification(message.payload);
      else held.push(message.payload);
    });
    client.on("error", (error) => this.lost(client, error));
    try {
      await client.query(`listen ${this.channel}`);
      await this.options.onListening(client, reconnected);
    } catch (error) {
      client.release(error as Error);
      throw error;
    }
    this.client = client;
    if (this.closed) return void (await this.close());
    ready = true;
    for (const payload of held) this.options.onNotification(payload);
  }

  private lost(client: pg.PoolClient, error: Error): void {
    if (this.client !== client) return;
    this.client = null;
    client.release(error);
    // A pool being closed (the process stops, a test ends) is no reason to come back.
    if (this.closed || this.pool.ending) return;
    log.warn({ channel: this.channel, err: error.message }, "the LISTEN connection was lost; reconnecting");
    const retry = () => {
      if (this.closed || this.pool.ending) return;
      this.listen(true).catch(() => setTimeout(retry, this.options.reconnectMs ?? 1_000).unref());
    };
    setTimeout(retry, this.options.reconnectMs ?? 1_000).unref();
  }
}
