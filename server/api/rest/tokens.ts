/**
 * Bearer access tokens of `POST /auth/token`: `sbat_<payload>.<signature>`,
 * the payload naming the technical user and the expiry, signed with
 * HMAC-SHA256 under a key derived from the app secret. Nothing is stored:
 * every request re-reads the technical user, so revoking it ends its tokens at once.
 */
import crypto from "node:crypto";
import { getAppSecret } from "@/server/config";

export const ACCESS_TOKEN_TTL_S = 3600;
const PREFIX = "sbat_";

let signingKey: Buffer | undefined;

function key(): Buffer {
  // A purpose-bound key, so a token signature can never be replayed as another HMAC the app secret makes.
  signingKey ??= crypto.createHmac("sha256", getAppSecret()).update("switchboard:api-access-token:v1").digest();
  return signingKey;
}

function sign(payload: string): string {
  return crypto.createHmac("sha256", key()).update(payload).digest("base64url");
}

export function issueAccessToken(technicalUserId: string, nowMs = Date.now()): { token: string; expiresIn: number } {
  const payload = Buffer.from(JSON.stringify({ sub: technicalUserId, exp: Math.floor(nowMs / 1000) + ACCESS_TOKEN_TTL_S })).toString("base64url");
  return { token: `${PREFIX}${payload}.${sign(payload)}`, expiresIn: ACCESS_TOKEN_TTL_S };
}

/** The technical user id of a well-signed, unexpired token; null otherwise. */
export function verifyAccessToken(token: string, nowMs = Date.now()): string | null {
  if (!token.startsWith(PREFIX) || token.length > 512) return null;
  const [payload, signature, extra] = token.slice(PREFIX.length).split(".");
  if (!payload || !signature || extra !== undefined) return null;
  const expected = Buffer.from(sign(payload));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) return null;
  try {
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { sub?: unknown; exp?: unknown };
    if (typeof claims.sub !== "string" || typeof claims.exp !== "number") return null;
    return claims.exp * 1000 > nowMs ? claims.sub : null;
  } catch {
    return null;
  }
}

export function resetTokenKeyForTests(): void {
  signingKey = undefined;
}
