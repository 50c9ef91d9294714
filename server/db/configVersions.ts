import type { Statement } from "better-sqlite3";
import type { Db } from "./client";

/**
 * How a configuration change reaches every copy that caches it.
 *
 * In production each Next bundle (the runtime's instrumentation bundle, every
 * route handler) has its own copy of every module, and later several
 * processes share one database; an in-memory "invalidate" reaches only the
 * copy that called it. So the database says when something changed: a
 * trigger on each cached table bumps the topic's row in `config_versions`
 * inside the transaction that changes it (migration 0007), whoever writes —
 * a service in any bundle, the CLI, another process, a hand edit in the
 * SQLite shell. A cached copy remembers the counter it was built from and
 * compares it (one prepared single-row read, about a microsecond) before use.
 *
 * PostgreSQL (issue #12) keeps the same table and triggers (drizzle/pg/0001,
 * server/db/README.md); the triggers also `pg_notify` the topic, and each process keeps the counters in memory from a
 * LISTEN connection (treating a reconnect as "everything changed") instead of
 * reading them per use.
 */
export const configTopics = ["outbound_apis", "sip_trunks"] as const;
export type ConfigTopic = (typeof configTopics)[number];

/**
 * Where a cache reads the counters: SQLite, one prepared single-row read per use;
 * PostgreSQL, counters kept in memory from a LISTEN connection (pgConfigVersions.ts).
 */
export interface ConfigVersionSource<Topic extends string = ConfigTopic> {
  version(topic: Topic): number;
}

// A prepared statement per connection; any bundle's copy of this map is as good as another's.
const readers = new WeakMap<Db, Statement>();

export function configVersion(db: Db, topic: ConfigTopic): number {
  let reader = readers.get(db);
  if (!reader) {
    reader = db.$client.prepare("select version from config_versions where topic = ?").pluck();
    readers.set(db, reader);
  }
  return (reader.get(topic) as number | undefined) ?? 0;
}

function sqliteVersions(db: Db): ConfigVersionSource {
  return { version: (topic) => configVersion(db, topic) };
}

/** A value built from the database, rebuilt on first use after its topic's counter moved. */
export class VersionedCache<T, Topic extends string = ConfigTopic> {
  private value: T | undefined;
  private builtFrom = -1;
  private readonly versions: ConfigVersionSource<Topic>;

  constructor(
    db: Db | ConfigVersionSource<Topic>,
    private readonly topic: Topic,
    private readonly build: () => T,
    /** Called after a rebuild caused by a change (not after the first build). */
    private readonly onRebuilt: () => void = () => {},
  ) {
    this.versions = "version" in db ? db : (sqliteVersions(db) as unknown as ConfigVersionSource<Topic>);
  }

  get(): T {
    // The counter is read before the data: a change landing in between makes the next use rebuild again, never miss it.
    const version = this.versions.version(this.topic);
    if (this.value === undefined || version !== this.builtFrom) {
      const changed = this.value !== undefined;
      this.value = this.build();
      this.builtFrom = version;
      if (changed) this.onRebuilt();
    }
    return this.value;
  }
}
