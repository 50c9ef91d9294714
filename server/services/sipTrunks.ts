/**
 * SIP trunks (issue #13): which providers the SIP edge takes calls from, for
 * which DIDs, and the edge's registration with them. Configured by admins in
 * the portal (tRPC only: the public API does not name trunks). The
 * registration password is sealed with the app secret and leaves this module
 * only towards the SIP edge, never towards a client or a log.
 *
 * Portal paths are awaitable; what the SIP edge reads per INVITE and per call
 * (`inboundTrunks`, `outboundTrunk`) is computed synchronously from the
 * enabled trunks' rows, which the edge reads per use on SQLite
 * (`enabledTrunks`) and keeps in memory on PostgreSQL (`loadEnabledTrunks`,
 * server/runtime/sipEdgeData.ts).
 */
import { asc, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { affectedRows } from "../db/transaction";
import { sipTrunkRegistrations, sipTrunks } from "../db/schema";
import { newId } from "@/lib/ids";
import { toE164 } from "@/lib/phone";
import { formatHostPort, sipTrunkInputSchema, type HostPort, type RegistrationState, type SipTrunkInput } from "@/lib/schemas/sipTrunks";
import { getConfig } from "../config";
import { openSecret, sealSecret } from "../integration/secretBox";
import { ServiceError, isUniqueViolation, notFound } from "./errors";

/** What the edge tells the portal about its registration with a trunk's provider. */
export interface TrunkRegistrationView {
  state: RegistrationState;
  reason: string | null;
  expiresAt: string | null;
  updatedAt: string;
}

export interface SipTrunkView {
  id: string;
  name: string;
  enabled: boolean;
  addresses: string[];
  proxy: string | null;
  username: string;
  /** Whether a registration password is stored (never the password). */
  hasPassword: boolean;
  dids: string[];
  outbound: boolean;
  callerIdNumber: string;
  /** Null when the trunk does not register (disabled, no credentials) or the edge has not tried yet. */
  registration: TrunkRegistrationView | null;
}

/** The trunk calls out go through, in the shape the SIP edge's outbound option takes (read per call). */
export interface OutboundTrunk {
  host: string;
  port: number;
  username?: string;
  password?: string;
  callerIdNumber?: string;
}

/** An enabled trunk as the SIP edge checks INVITEs against it. */
export interface InboundTrunkRow {
  id: string;
  name: string;
  addresses: HostPort[];
  /** E.164; empty: any DID. */
  dids: string[];
}

/** An enabled trunk the edge registers with. */
export interface TrunkRegistrationTarget {
  trunkId: string;
  name: string;
  /** Where REGISTERs go: the proxy, or the first address. */
  registrar: HostPort;
  /** The provider's domain (the first address's host): Request-URI, From and To. */
  domain: string;
  username: string;
  password: string;
}

export const SIP_DEFAULT_PORT = 5060;

type TrunkRow = typeof sipTrunks.$inferSelect;

const nameTaken = () => new ServiceError("conflict", "A trunk with this name already exists", { field: "name", messageKey: "sipTrunks.errors.nameTaken" });

function toView(row: TrunkRow, registration: TrunkRegistrationView | null): SipTrunkView {
  return {
    id: row.id,
    name: row.name,
    enabled: row.enabled,
    addresses: row.addresses.map(formatHostPort),
    proxy: row.proxy ? formatHostPort(row.proxy) : null,
    username: row.username ?? "",
    hasPassword: row.sealedPassword !== null,
    dids: row.dids,
    outbound: row.outbound,
    callerIdNumber: row.callerIdNumber ?? "",
    registration: row.username && row.enabled ? registration : null,
  };
}

/** Validates an input (create, or update of `existing`) into the row's columns; errors name the field. */
function toColumns(input: SipTrunkInput, existing: TrunkRow | null, appSecret: string | undefined) {
  const data = sipTrunkInputSchema.parse(input);
  const region = getConfig().DEFAULT_REGION;
  const dids = data.dids.map((did) => {
    const e164 = toE164(did, region);
    if (!e164) throw new ServiceError("invalid", `${did} is not a valid phone number`, { field: "dids", messageKey: "errors.phoneNumber" });
    return e164;
  });
  const callerIdNumber = data.callerIdNumber === "" ? null : toE164(data.callerIdNumber, region);
  if (data.callerIdNumber !== "" && !callerIdNumber) {
    throw new ServiceError("invalid", `${data.callerIdNumber} is not a valid phone number`, { field: "callerIdNumber", messageKey: "errors.phoneNumber" });
  }
  const newPassword = data.password ? data.password : null;
  if (!data.username && newPassword) {
    throw new ServiceError("invalid", "A registration password needs a user name", { field: "username", messageKey: "sipTrunks.errors.usernameRequired" });
  }
  let sealedPassword: string | null = null;
  if (data.username) {
    sealedPassword = newPassword ? sealSecret(newPassword, appSecret) : (existing?.sealedPassword ?? null);
    if (!sealedPassword) throw new ServiceError("invalid", "Registration needs a password", { field: "password", messageKey: "sipTrunks.errors.passwordRequired" });
  }
  return {
    name: data.name,
    enabled: data.enabled,
    addresses: data.addresses,
    proxy: data.proxy,
    username: data.username || null,
    sealedPassword,
    dids: [...new Set(dids)],
    outbound: data.outbound,
    callerIdNumber,
  };
}

async function registrationOf(db: Db, trunkId: string): Promise<TrunkRegistrationView | null> {
  const [row] = await db.select().from(sipTrunkRegistrations).where(eq(sipTrunkRegistrations.trunkId, trunkId)).limit(1);
  return row ? { state: row.state, reason: row.reason, expiresAt: row.expiresAt, updatedAt: row.updatedAt } : null;
}

export async function listSipTrunks(db: Db): Promise<SipTrunkView[]> {
  const rows = await db.select().from(sipTrunks).leftJoin(sipTrunkRegistrations, eq(sipTrunkRegistrations.trunkId, sipTrunks.id)).orderBy(asc(sipTrunks.name));
  return rows.map(({ sip_trunks: trunk, sip_trunk_registrations: registration }) =>
    toView(trunk, registration ? { state: registration.state, reason: registration.reason, expiresAt: registration.expiresAt, updatedAt: registration.updatedAt } : null),
  );
}

async function trunkRow(db: Db, id: string): Promise<TrunkRow> {
  const [row] = await db.select().from(sipTrunks).where(eq(sipTrunks.id, id)).limit(1);
  if (!row) throw notFound("SIP trunk", id);
  return row;
}

export async function getSipTrunk(db: Db, id: string): Promise<SipTrunkView> {
  return toView(await trunkRow(db, id), await registrationOf(db, id));
}

export async function createSipTrunk(db: Db, input: SipTrunkInput, appSecret?: string): Promise<SipTrunkView> {
  const columns = toColumns(input, null, appSecret);
  const id = newId("sipTrunk");
  try {
    await db.insert(sipTrunks).values({ id, ...columns });
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken();
    throw error;
  }
  return getSipTrunk(db, id);
}

export async function updateSipTrunk(db: Db, id: string, input: SipTrunkInput, appSecret?: string): Promise<SipTrunkView> {
  const columns = toColumns(input, await trunkRow(db, id), appSecret);
  try {
    await db
      .update(sipTrunks)
      .set({ ...columns, updatedAt: new Date().toISOString() })
      .where(eq(sipTrunks.id, id));
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken();
    throw error;
  }
  return getSipTrunk(db, id);
}

export async function deleteSipTrunk(db: Db, id: string): Promise<void> {
  const result = await db.delete(sipTrunks).where(eq(sipTrunks.id, id));
  if (affectedRows(result) === 0) throw notFound("SIP trunk", id);
}

// ── what the SIP edge reads (synchronously, per INVITE / per call) ──

export type EnabledTrunk = TrunkRow;

/** The enabled trunks, oldest first: one query, run synchronously on SQLite or awaited on either backend. */
function enabledTrunksQuery(db: Db) {
  return db.select().from(sipTrunks).where(eq(sipTrunks.enabled, true)).orderBy(asc(sipTrunks.createdAt), asc(sipTrunks.id));
}

/** SQLite: the SIP edge reads the enabled trunks synchronously when their change counter moved. */
export function enabledTrunks(db: Db): EnabledTrunk[] {
  return enabledTrunksQuery(db).all();
}

/** PostgreSQL: the SIP edge's in-memory copy of the enabled trunks is read with this. */
export async function loadEnabledTrunks(db: Db): Promise<EnabledTrunk[]> {
  return enabledTrunksQuery(db);
}

/** Every enabled trunk with the addresses its INVITEs may come from and the DIDs it carries. */
export function inboundTrunks(rows: EnabledTrunk[]): InboundTrunkRow[] {
  return rows.map((row) => ({ id: row.id, name: row.name, addresses: row.addresses, dids: row.dids }));
}

/** Enabled trunks with registration credentials, passwords opened for the edge's REGISTER. */
export function trunkRegistrationTargets(rows: EnabledTrunk[], appSecret?: string): TrunkRegistrationTarget[] {
  return rows.flatMap((row) =>
    row.username && row.sealedPassword
      ? [{ trunkId: row.id, name: row.name, registrar: row.proxy ?? row.addresses[0], domain: row.addresses[0].host, username: row.username, password: openSecret(row.sealedPassword, appSecret) }]
      : [],
  );
}

/**
 * The trunk for calls out: the first enabled trunk marked `outbound`, else the
 * first enabled one; null without any. Its host is the proxy when set.
 */
export function outboundTrunk(rows: EnabledTrunk[], appSecret?: string): OutboundTrunk | null {
  const row = rows.find((trunk) => trunk.outbound) ?? rows[0];
  if (!row) return null;
  const target = row.proxy ?? row.addresses[0];
  return {
    host: target.host,
    port: target.port ?? SIP_DEFAULT_PORT,
    ...(row.username && row.sealedPassword ? { username: row.username, password: openSecret(row.sealedPassword, appSecret) } : {}),
    ...(row.callerIdNumber ? { callerIdNumber: row.callerIdNumber } : {}),
  };
}

/** The edge reports how its registration with a trunk goes (shown in the portal). */
export async function recordTrunkRegistration(
  db: Db,
  trunkId: string,
  status: { state: RegistrationState; reason: string | null; expiresAt: string | null },
  now: string,
): Promise<void> {
  const values = { trunkId, ...status, updatedAt: now };
  // The trunk may have been deleted meanwhile: its row is then simply not written.
  const [trunk] = await db.select({ id: sipTrunks.id }).from(sipTrunks).where(eq(sipTrunks.id, trunkId)).limit(1);
  if (!trunk) return;
  await db.insert(sipTrunkRegistrations).values(values).onConflictDoUpdate({ target: sipTrunkRegistrations.trunkId, set: values });
}

