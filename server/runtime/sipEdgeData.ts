/**
 * What the SIP edge reads synchronously — the enabled SIP trunks (per INVITE,
 * per call out, per registration poll) and the extensions' SIP passwords (per
 * REGISTER or challenged INVITE) — from either backend.
 *
 * SQLite answers synchronously: the trunks are read again when their change
 * counter moved (one single-row read per use, server/db/configVersions.ts) and
 * a password is read per REGISTER. A PostgreSQL client cannot answer
 * synchronously, so there both are in-memory copies read with async queries
 * before the edge starts and read again when their topic is notified
 * (`PgSnapshot`: `sip_trunks`; `sip_credentials` and `directory` for the
 * passwords, since an extension's number and enabled flag count there) —
 * as the runtime's directory does (server/runtime/README.md). A change is
 * seen by the first INVITE or REGISTER after the reload, tens of milliseconds
 * after the commit. Passwords stay sealed in memory and are opened per use.
 */
import type { Db } from "../db/client";
import { isPostgres } from "../db/client";
import { configVersion } from "../db/configVersions";
import type { PgDb } from "../db/postgres";
import { PgConfigVersions, PgSnapshot } from "../db/pgConfigVersions";
import { componentLogger } from "../logger";
import { loadSealedSipPasswords, openSipPassword, sipPasswordFor } from "../services/sipCredentials";
import { enabledTrunks, loadEnabledTrunks, type EnabledTrunk } from "../services/sipTrunks";

export interface SipEdgeData {
  /** The enabled trunks, and a number that moves whenever they may have changed (for caches built from them). */
  trunks: { version(): number; rows(): EnabledTrunk[] };
  /** An extension's SIP password; null for a disabled or unknown extension or one without a password. */
  sipPassword(number: string): string | null;
  /** Resolves once every reload started so far is done (PostgreSQL; tests). */
  settled(): Promise<void>;
  close(): Promise<void>;
}

const log = componentLogger("sip");

export async function openSipEdgeData(db: Db | PgDb, options: { appSecret?: string } = {}): Promise<SipEdgeData> {
  if (!isPostgres(db)) {
    return {
      trunks: { version: () => configVersion(db, "sip_trunks"), rows: () => enabledTrunks(db) },
      sipPassword: (number) => sipPasswordFor(db, number, options.appSecret),
      settled: async () => {},
      close: async () => {},
    };
  }
  // The services' awaitable queries run on node-postgres as they are (server/db/README.md, "One cast, in getDb()").
  const services = db as unknown as Db;
  // The edge starts before the runtime (its socket first), so it listens on a connection of its own.
  const versions = await PgConfigVersions.start(db.$client);
  const failed = (what: string) => (error: Error) => log.error({ err: error.message }, `the SIP edge could not reload ${what}; it keeps the previous copy`);
  const trunks = await PgSnapshot.load(versions, ["sip_trunks"], () => loadEnabledTrunks(services), failed("the SIP trunks"));
  const passwords = await PgSnapshot.load(versions, ["sip_credentials", "directory"], () => loadSealedSipPasswords(services), failed("the SIP passwords"));
  return {
    trunks: { version: () => trunks.generation(), rows: () => trunks.current() },
    sipPassword: (number) => openSipPassword(passwords.current().get(number), options.appSecret),
    settled: async () => {
      await Promise.all([trunks.settled(), passwords.settled()]);
    },
    close: async () => {
      trunks.close();
      passwords.close();
      await versions.close();
    },
  };
}
