/**
 * Who is calling (API.md §Auth): a technical user by `Basic` client
 * credentials or a `Bearer` access token. Every request re-reads the
 * technical user, so revocation, scope changes and allowlist changes apply at
 * once. Portal sessions never authenticate here.
 */
import crypto from "node:crypto";
import type { Statement } from "better-sqlite3";
import { eq } from "drizzle-orm";
import { isPostgres, type Db } from "@/server/db/client";
import type { PgDb } from "@/server/db/postgres";
import { technicalUsers } from "@/server/db/schema";
import { verifySecret } from "@/server/auth/passwords";
import { ApiProblem } from "./problem";
import { verifyAccessToken } from "./tokens";
import { clientIp, ipAllowed } from "./clientIp";
import type { ApiRequestInfo } from "./operation";

export interface ApiPrincipal {
  technicalUserId: string;
  clientId: string;
  name: string;
  scopes: ReadonlySet<string>;
}

/** `credentials`: Basic or Bearer (every operation); `basic`: client credentials only (the token endpoint). */
export type AuthMode = "credentials" | "basic";

const CHALLENGE = 'Basic realm="Switchboard API", Bearer realm="Switchboard API"';

function unauthorized(detail: string): ApiProblem {
  return new ApiProblem(401, detail, { headers: { "www-authenticate": CHALLENGE } });
}

// argon2id costs tens of milliseconds by design. A successful check is remembered
// briefly under a SHA-256 of the credentials (never the secret itself), together
// with the stored hash it matched: rotating or revoking the secret invalidates it.
const VERIFIED_TTL_MS = 60_000;
const VERIFIED_MAX_ENTRIES = 10_000;

// last_used_at is written at most once a minute per technical user, off the hot path.
const LAST_USED_WRITE_INTERVAL_MS = 60_000;

// The memos are per process, shared by every route handler bundle (each has its own copy of this module).
// They only save work: every request still re-reads the technical user's row.
interface AuthMemo {
  verified: Map<string, { matchedHash: string; until: number }>;
  /** Verifications under way, by the same key: a client's concurrent requests share one argon2 run. */
  verifying: Map<string, { hashes: string; matchedHash: Promise<string | null> }>;
  lastUsedWrites: Map<string, number>;
}
const globalForAuth = globalThis as unknown as { switchboardApiAuth?: AuthMemo };
const memo = (globalForAuth.switchboardApiAuth ??= { verified: new Map(), verifying: new Map(), lastUsedWrites: new Map() });
const { verified, verifying, lastUsedWrites } = memo;

interface TechnicalUserRow {
  id: string;
  name: string;
  clientId: string;
  secretHash: string;
  previousSecretHash: string | null;
  previousSecretExpiresAt: string | null;
  scopes: string[];
  ipAllowlist: string[];
  revokedAt: string | null;
}

// Every request reads its technical user, so the lookup is a prepared statement per database
// (building and preparing the query through the ORM each time cost more than the rest of the pipeline).
// SQLite; PostgreSQL's statement sits beside it (findOnPostgres).
const lookups = new WeakMap<Db, { byClientId: Statement; byId: Statement }>();
const COLUMNS = `id, name, client_id as clientId, secret_hash as secretHash, previous_secret_hash as previousSecretHash,
  previous_secret_expires_at as previousSecretExpiresAt, scopes, ip_allowlist as ipAllowlist, revoked_at as revokedAt`;

type StoredTechnicalUser = Omit<TechnicalUserRow, "scopes" | "ipAllowlist"> & { scopes: string; ipAllowlist: string };

async function findTechnicalUser(db: Db, by: "byClientId" | "byId", value: string): Promise<TechnicalUserRow | undefined> {
  const row = isPostgres(db) ? await findOnPostgres(db, by, value) : findOnSqlite(db, by, value);
  return row && { ...row, scopes: JSON.parse(row.scopes) as string[], ipAllowlist: JSON.parse(row.ipAllowlist) as string[] };
}

/** PostgreSQL: the same statement through the pool (node-postgres keeps quoted aliases' case). */
async function findOnPostgres(db: PgDb, by: "byClientId" | "byId", value: string): Promise<StoredTechnicalUser | undefined> {
  const columns = COLUMNS.replace(/ as (\w+)/g, ' as "$1"');
  const { rows } = await db.$client.query<StoredTechnicalUser>(`select ${columns} from technical_users where ${by === "byId" ? "id" : "client_id"} = $1`, [value]);
  return rows[0];
}

function findOnSqlite(db: Db, by: "byClientId" | "byId", value: string): StoredTechnicalUser | undefined {
  let statements = lookups.get(db);
  if (!statements) {
    statements = {
      byClientId: db.$client.prepare(`select ${COLUMNS} from technical_users where client_id = ?`),
      byId: db.$client.prepare(`select ${COLUMNS} from technical_users where id = ?`),
    };
    lookups.set(db, statements);
  }
  return statements[by].get(value) as StoredTechnicalUser | undefined;
}

export async function authenticate(db: Db, request: ApiRequestInfo, mode: AuthMode, nowMs = Date.now()): Promise<ApiPrincipal> {
  const header = request.headers.get("authorization");
  if (!header) throw unauthorized("Send client credentials (Basic) or an access token (Bearer) in the Authorization header");
  const space = header.indexOf(" ");
  const scheme = space > 0 ? header.slice(0, space).toLowerCase() : header.toLowerCase();
  const value = space > 0 ? header.slice(space + 1).trim() : "";

  let row: TechnicalUserRow | undefined;
  if (scheme === "basic") {
    row = await checkClientCredentials(db, value, nowMs);
  } else if (scheme === "bearer" && mode === "credentials") {
    const id = verifyAccessToken(value, nowMs);
    if (!id) throw unauthorized("The access token is invalid or expired; request a new one from POST /api/v1/auth/token");
    row = await findTechnicalUser(db, "byId", id);
  } else {
    throw unauthorized(mode === "basic" ? "This endpoint takes client credentials (Basic)" : "Unsupported authorization scheme; use Basic or Bearer");
  }
  if (!row || row.revokedAt) throw unauthorized("These credentials are not valid");

  if (!ipAllowed(row.ipAllowlist, clientIp(request))) {
    throw new ApiProblem(403, "Requests from this address are not allowed for this technical user (its IP allowlist)", { code: "ip_not_allowed" });
  }
  await touchLastUsed(db, row.id, nowMs);
  return { technicalUserId: row.id, clientId: row.clientId, name: row.name, scopes: new Set(row.scopes) };
}

async function checkClientCredentials(db: Db, encoded: string, nowMs: number): Promise<TechnicalUserRow | undefined> {
  if (encoded.length === 0 || encoded.length > 1024) throw unauthorized("Malformed Basic credentials");
  const decoded = Buffer.from(encoded, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon <= 0) throw unauthorized("Malformed Basic credentials");
  const clientId = decoded.slice(0, colon);
  const secret = decoded.slice(colon + 1);
  const row = await findTechnicalUser(db, "byClientId", clientId);
  if (!row || row.revokedAt) return undefined;

  const previousValid = row.previousSecretHash && row.previousSecretExpiresAt && Date.parse(row.previousSecretExpiresAt) > nowMs ? row.previousSecretHash : null;
  const acceptable = [row.secretHash, previousValid].filter((hash): hash is string => hash !== null);
  const cacheKey = crypto.createHash("sha256").update(`${clientId}\0${secret}`).digest("hex");
  const cached = verified.get(cacheKey);
  if (cached && cached.until > nowMs && acceptable.includes(cached.matchedHash)) return row;
  return (await verifyOnce(cacheKey, acceptable, secret, nowMs)) ? row : undefined;
}

/**
 * Runs argon2 against the acceptable hashes once for all concurrent requests with the same
 * credentials. Without this, every request a busy client had in flight when its memo entry
 * expired ran its own verification (tens of milliseconds of CPU each), once a minute.
 */
function verifyOnce(cacheKey: string, acceptable: string[], secret: string, nowMs: number): Promise<string | null> {
  const hashes = acceptable.join("\n");
  const inFlight = verifying.get(cacheKey);
  if (inFlight && inFlight.hashes === hashes) return inFlight.matchedHash;
  const matchedHash = (async () => {
    for (const hash of acceptable) {
      if (await verifySecret(hash, secret)) {
        if (verified.size >= VERIFIED_MAX_ENTRIES) verified.clear();
        verified.set(cacheKey, { matchedHash: hash, until: nowMs + VERIFIED_TTL_MS });
        return hash;
      }
    }
    return null;
  })().finally(() => {
    if (verifying.get(cacheKey)?.matchedHash === matchedHash) verifying.delete(cacheKey);
  });
  verifying.set(cacheKey, { hashes, matchedHash });
  return matchedHash;
}

async function touchLastUsed(db: Db, technicalUserId: string, nowMs: number): Promise<void> {
  const last = lastUsedWrites.get(technicalUserId) ?? 0;
  if (nowMs - last < LAST_USED_WRITE_INTERVAL_MS) return;
  lastUsedWrites.set(technicalUserId, nowMs);
  await db.update(technicalUsers).set({ lastUsedAt: new Date(nowMs).toISOString() }).where(eq(technicalUsers.id, technicalUserId));
}

export function requireScope(principal: ApiPrincipal, scope: string | null): void {
  if (scope && !principal.scopes.has(scope)) {
    throw new ApiProblem(403, `This technical user lacks the ${scope} scope`, { code: "missing_scope" });
  }
}

export function resetAuthCachesForTests(): void {
  verified.clear();
  verifying.clear();
  lastUsedWrites.clear();
}
