import { z } from "zod";
import { outboundApiInputSchema, type OutboundApiData } from "@/lib/schemas/integration";
import type { Db } from "../db/client";
import { VersionedCache } from "../db/configVersions";
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

export class OutboundApiCatalog {
  private readonly cache: VersionedCache<Map<string, OutboundApi>>;
  private listeners: Array<() => void> = [];

  constructor(private readonly db: Db) {
    this.cache = new VersionedCache(db, "outbound_apis", () => this.load(), () => {
      for (const listener of this.listeners) listener();
    });
  }

  private load(): Map<string, OutboundApi> {
    const map = new Map<string, OutboundApi>();
    for (const row of this.db.select().from(outboundApis).all()) {
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

  all(): OutboundApi[] {
    return [...this.cache.get().values()];
  }

  get(id: string): OutboundApi | undefined {
    return this.cache.get().get(id);
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
}

const catalogs = new WeakMap<Db, OutboundApiCatalog>();

export function outboundApiCatalog(db: Db): OutboundApiCatalog {
  let catalog = catalogs.get(db);
  if (!catalog) {
    catalog = new OutboundApiCatalog(db);
    catalogs.set(db, catalog);
  }
  return catalog;
}
