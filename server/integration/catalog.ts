import { z } from "zod";
import { outboundApiInputSchema, type OutboundApiData } from "@/lib/schemas/integration";
import { isPostgres, type Db } from "../db/client";
import { configVersion } from "../db/configVersions";
import { CoalescingReload, PgConfigVersions } from "../db/pgConfigVersions";
import { outboundApis } from "../db/schema";
import { componentLogger } from "../logger";
import { openSecret } from "./secretBox";

/**
 * Outbound APIs as the engine uses them: the stored config parsed once by
 * the shared zod union, secrets opened once, kept in memory per database and
 * rebuilt on the first use after the table changed, whoever changed it
 * (server/db/configVersions.ts). Hot paths (a ringing call, a delivery)
 * never parse JSON or decrypt.
 */
export type StoredConfig = OutboundApiData;

export interface StoredCredentials {
  /** Password (basic), token (bearer) or header value (header). */
  auth_secret?: string;
  /** `{{ secret }}` of the body template. */
  body_secret?: string;
}

export interface OutboundApi {
  id: string;
  name: string;
  kind: StoredConfig["kind"];
  enabled: boolean;
  disabledReason: string | null;
  config: StoredConfig;
  credentials: StoredCredentials;
  signingSecret: string;
  previousSigningSecret: string | null;
  previousSigningSecretExpiresAt: number | null;
  createdAt: number;
  updatedAt: number;
}

type Row = typeof outboundApis.$inferSelect;

const log = componentLogger("integration");

/** The one reader of a stored outbound API row. */
export function parseOutboundApi(row: Row): OutboundApi {
  const config = outboundApiInputSchema.parse({ ...row.config, kind: row.kind, name: row.name, enabled: row.enabled });
  const credentials = row.credentialsEncrypted ? (JSON.parse(openSecret(row.credentialsEncrypted)) as StoredCredentials) : {};
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    enabled: row.enabled,
    disabledReason: row.disabledReason,
    config,
    credentials,
    signingSecret: openSecret(row.signingSecretEncrypted),
    previousSigningSecret: row.previousSigningSecretEncrypted ? openSecret(row.previousSigningSecretEncrypted) : null,
    previousSigningSecretExpiresAt: row.previousSigningSecretExpiresAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** The secrets a signature is made with at `now`: the current one, plus the previous one during its grace period. */
export function signingSecretsAt(api: OutboundApi, now: number): string[] {
  return api.previousSigningSecret && (api.previousSigningSecretExpiresAt ?? 0) > now ? [api.signingSecret, api.previousSigningSecret] : [api.signingSecret];
}

/**
 * The outbound APIs of one database, in memory: synchronous readers (the
 * outbox inside a call's records, the worker, the runtime's port) never wait.
 * `load()` reads them with one awaitable query; how a change reaches the copy
 * differs per backend:
 *  - SQLite: every read compares the `config_versions` counter (one prepared
 *    single-row read) and rebuilds at once when it moved — the very next call
 *    sees a change, whoever made it (server/db/configVersions.ts);
 *  - PostgreSQL: `load()` first listens for the `config_versions`
 *    notification (PgConfigVersions, shared with the runtime when given) and
 *    every `outbound_apis` notification reloads the copy in the background,
 *    as PgDirectory does; a read between the commit and the reload (a few
 *    milliseconds) still sees the previous copy. Reads before `load()` throw.
 */
export class OutboundApiCatalog {
  private apis: Map<string, OutboundApi> | null = null;
  /** SQLite: the counter the copy was built from. */
  private builtFrom = -1;
  private listeners: Array<() => void> = [];
  /** PostgreSQL: reloads on notifications, one at a time. */
  private readonly reloads = new CoalescingReload(
    async () => this.replace(parseRows(await catalogQuery(this.db)), -1),
    (error) => log.error({ err: error.message }, "the outbound APIs could not be reloaded; deliveries use the previous copy"),
  );
  private stopListening: () => void = () => {};
  /** PostgreSQL: a LISTEN connection this catalogue opened itself (closed with it). */
  private ownVersions: PgConfigVersions | null = null;

  constructor(
    private readonly db: Db,
    /** PostgreSQL: the process's change counters, if something (the runtime) already listens. */
    private versions: PgConfigVersions | null = null,
  ) {}

  /** Reads the APIs (and, on PostgreSQL, starts following changes). Await it before the first synchronous read there. */
  async load(): Promise<void> {
    if (!isPostgres(this.db)) {
      // The counter before the data: a change landing in between makes the next read rebuild again, never miss it.
      const version = configVersion(this.db, "outbound_apis");
      if (this.apis && version === this.builtFrom) return;
      this.replace(parseRows(await catalogQuery(this.db)), version);
      return;
    }
    if (!this.versions) this.versions = this.ownVersions = await PgConfigVersions.start(this.db.$client);
    this.stopListening();
    this.stopListening = this.versions.onChange((topic) => {
      if (topic === "outbound_apis") this.reloads.request();
    });
    this.replace(parseRows(await catalogQuery(this.db)), -1);
  }

  /** Resolves once every reload started so far is done (tests; PostgreSQL: a change is then visible). */
  async settled(): Promise<void> {
    await this.reloads.settled();
  }

  /** Stops following changes (PostgreSQL). */
  async close(): Promise<void> {
    this.stopListening();
    this.stopListening = () => {};
    await this.ownVersions?.close();
    this.ownVersions = null;
  }

  all(): OutboundApi[] {
    return [...this.current().values()];
  }

  get(id: string): OutboundApi | undefined {
    return this.current().get(id);
  }

  /** Enabled APIs of one kind. */
  active(kind: StoredConfig["kind"]): OutboundApi[] {
    return this.all().filter((api) => api.enabled && api.kind === kind);
  }

  /** Called when this copy notices a change, whoever made it (the delivery worker wakes up for a re-enabled API). */
  onChange(listener: () => void): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  private current(): Map<string, OutboundApi> {
    if (isPostgres(this.db)) {
      if (!this.apis) throw new Error("the outbound-API catalogue is read before load() on PostgreSQL");
      return this.apis;
    }
    // SQLite answers synchronously: the runtime's synchronous boundary (server/db/README.md) rebuilds here, with the same query `load()` awaits.
    const version = configVersion(this.db, "outbound_apis");
    if (!this.apis || version !== this.builtFrom) this.replace(parseRows(catalogQuery(this.db).all()), version);
    return this.apis as Map<string, OutboundApi>;
  }

  private replace(apis: Map<string, OutboundApi>, version: number): void {
    const changed = this.apis !== null;
    this.apis = apis;
    this.builtFrom = version;
    if (changed) for (const listener of this.listeners) listener();
  }
}

/** The one query of the catalogue: awaited by `load()` on both backends, run synchronously (`.all()`) by SQLite's rebuild on read. */
function catalogQuery(db: Db) {
  return db.select().from(outboundApis);
}

function parseRows(rows: Row[]): Map<string, OutboundApi> {
  const map = new Map<string, OutboundApi>();
  for (const row of rows) {
    try {
      map.set(row.id, parseOutboundApi(row));
    } catch (error) {
      // A row that no longer parses (or a changed app secret) must not stop every other endpoint.
      const detail = error instanceof z.ZodError ? "config does not match the schema" : (error as Error).message;
      log.error({ outboundApiId: row.id, detail }, "outbound API is unreadable and skipped");
    }
  }
  return map;
}

const catalogs = new WeakMap<Db, OutboundApiCatalog>();

/** The catalogue of a database (one per database and module copy). On PostgreSQL, `load()` it before reading. */
export function outboundApiCatalog(db: Db, versions?: PgConfigVersions): OutboundApiCatalog {
  let catalog = catalogs.get(db);
  if (!catalog) {
    catalog = new OutboundApiCatalog(db, versions ?? null);
    catalogs.set(db, catalog);
  }
  return catalog;
}
