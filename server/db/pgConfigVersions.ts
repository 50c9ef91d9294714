import type pg from "pg";
import type { ConfigTopic, ConfigVersionSource } from "./configVersions";
import { PgListener } from "./pgListener";

/** Topics only PostgreSQL counts (drizzle/pg/0003): what the runtime keeps in memory there (server/runtime/pgDirectory.ts). */
export type SnapshotTopic = "directory" | "phonebook";
/** PostgreSQL only too (drizzle/pg/0008): the SIP passwords the SIP edge keeps in memory there (server/runtime/sipEdgeData.ts). */
export type PgConfigTopic = ConfigTopic | SnapshotTopic | "sip_credentials";

const CHANNEL = "config_versions";

/**
 * The `config_versions` counters of one process, kept in memory from a LISTEN
 * connection: the triggers `pg_notify('config_versions', topic)` in the
 * transaction of each change, so a cache asks `version(topic)` without a
 * query. The numbers are this process's own (a notification adds one); only
 * "moved or not" matters. A lost connection counts as "everything changed",
 * since notifications sent meanwhile are gone (`PgListener` reads the topics
 * again after each LISTEN).
 */
export class PgConfigVersions implements ConfigVersionSource<PgConfigTopic> {
  private readonly versions = new Map<string, number>();
  private readonly listeners = new Set<(topic: string) => void>();
  private listener: PgListener | null = null;

  /** Listens before reading the counters, so no change falls in between. */
  static async start(pool: pg.Pool, options: { reconnectMs?: number } = {}): Promise<PgConfigVersions> {
    const versions = new PgConfigVersions();
    versions.listener = await PgListener.start(pool, CHANNEL, {
      reconnectMs: options.reconnectMs,
      onNotification: (topic) => versions.bump(topic),
      onListening: async (client) => {
        const { rows } = await client.query<{ topic: string }>("select topic from config_versions");
        for (const { topic } of rows) versions.bump(topic);
      },
    });
    return versions;
  }

  version(topic: PgConfigTopic): number {
    return this.versions.get(topic) ?? 0;
  }

  /** Called with the topic after each change is committed (and with every topic after a reconnect); returns an unsubscribe. */
  onChange(listener: (topic: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    await this.listener?.close();
  }

  private bump(topic: string): void {
    if (!topic) return;
    this.versions.set(topic, (this.versions.get(topic) ?? 0) + 1);
    for (const listener of this.listeners) listener(topic);
  }
}

/**
 * Reloads an in-memory copy when its topic's notification arrives: one reload
 * at a time, and a change arriving during a reload triggers one more after it
 * (never lost, never two at once). A failed reload is reported and the copy
 * kept. Used by PgDirectory and the outbound-API catalogue.
 */
export class CoalescingReload {
  private state: { running: Promise<void>; again: boolean } | null = null;

  constructor(
    private readonly reload: () => Promise<void>,
    private readonly failed: (error: Error) => void,
  ) {}

  request(): void {
    if (this.state) {
      this.state.again = true;
      return;
    }
    const state = { running: Promise.resolve(), again: false };
    state.running = (async () => {
      do {
        state.again = false;
        try {
          await this.reload();
        } catch (error) {
          this.failed(error as Error);
        }
      } while (state.again);
      this.state = null;
    })();
    this.state = state;
  }

  /** Resolves once every reload requested so far is done. */
  async settled(): Promise<void> {
    while (this.state) await this.state.running;
  }
}

/**
 * A value read from PostgreSQL with async queries, kept in memory for callers
 * that must answer synchronously (the SIP edge), and read again when one of
 * its topics is notified (CoalescingReload: callers keep the previous copy
 * until the new one is read). `generation` moves with every reload, for
 * caches built from the value (VersionedCache).
 */
export class PgSnapshot<T> {
  private generationCount = 0;
  private stopListening: () => void = () => {};
  private readonly reload: CoalescingReload;

  private constructor(
    private value: T,
    read: () => Promise<T>,
    failed: (error: Error) => void,
  ) {
    this.reload = new CoalescingReload(async () => {
      this.value = await read();
      this.generationCount++;
    }, failed);
  }

  /** Listens before the first read, so no change falls in between. */
  static async load<T>(
    versions: PgConfigVersions,
    topics: readonly PgConfigTopic[],
    read: () => Promise<T>,
    /** A reload failed: report it (the previous copy stays in use). */
    failed: (error: Error) => void,
  ): Promise<PgSnapshot<T>> {
    let changedDuringRead = false;
    const stopEarly = versions.onChange((topic) => {
      if ((topics as readonly string[]).includes(topic)) changedDuringRead = true;
    });
    const snapshot = new PgSnapshot(await read().finally(stopEarly), read, failed);
    snapshot.stopListening = versions.onChange((topic) => {
      if ((topics as readonly string[]).includes(topic)) snapshot.reload.request();
    });
    if (changedDuringRead) snapshot.reload.request();
    return snapshot;
  }

  current(): T {
    return this.value;
  }

  generation(): number {
    return this.generationCount;
  }

  /** Resolves once every reload requested so far is done (tests). */
  settled(): Promise<void> {
    return this.reload.settled();
  }

  close(): void {
    this.stopListening();
  }
}
