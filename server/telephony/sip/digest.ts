/**
 * SIP digest authentication (RFC 3261 §22.4, RFC 7616 with MD5 and
 * `qop=auth`): challenges and the check of an Authorization header.
 *
 * Nonces are stateless: `<issued-at>.<random>.<HMAC(secret, issued-at.random.realm)>`,
 * so any process holding the secret accepts them until they expire, and a
 * restart loses nothing. An expired but genuine nonce earns a fresh challenge
 * with `stale=true` (the phone retries without asking its user).
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** How long a nonce is accepted. Phones re-register well within this after a challenge. */
export const NONCE_LIFETIME_MS = 5 * 60_000;

export interface DigestCredentials {
  username: string;
  realm: string;
  nonce: string;
  uri: string;
  response: string;
  qop: string | null;
  nc: string | null;
  cnonce: string | null;
  algorithm: string | null;
}

export type DigestVerdict = "ok" | "wrong" | "stale" | "invalid_nonce";

export class DigestAuthenticator {
  constructor(
    private readonly secret: Buffer,
    readonly realm: string,
  ) {}

  nonce(nowMs: number): string {
    const body = `${nowMs.toString(36)}.${randomBytes(9).toString("base64url")}`;
    return `${body}.${this.sign(body)}`;
  }

  /** The WWW-Authenticate value of a 401. */
  challenge(nowMs: number, stale = false): string {
    return `Digest realm="${this.realm}", nonce="${this.nonce(nowMs)}", algorithm=MD5, qop="auth"${stale ? ", stale=true" : ""}`;
  }

  /** Checks an Authorization against the password; `method` is the request's (REGISTER, INVITE…). */
  verify(credentials: DigestCredentials, method: string, password: string, nowMs: number): DigestVerdict {
    const nonceState = this.nonceState(credentials.nonce, nowMs);
    if (nonceState !== "ok") return nonceState;
    if (credentials.realm !== this.realm) return "wrong";
    if ((credentials.algorithm ?? "MD5").toUpperCase() !== "MD5") return "wrong";
    if (credentials.qop !== "auth" || !credentials.nc || !credentials.cnonce) return "wrong";
    const expected = digestResponse({ ...credentials, nc: credentials.nc, cnonce: credentials.cnonce, password, method });
    return constantTimeEqual(expected, credentials.response.toLowerCase()) ? "ok" : "wrong";
  }

  private nonceState(nonce: string, nowMs: number): "ok" | "stale" | "invalid_nonce" {
    const parts = nonce.split(".");
    if (parts.length !== 3) return "invalid_nonce";
    const body = `${parts[0]}.${parts[1]}`;
    if (!constantTimeEqual(this.sign(body), parts[2])) return "invalid_nonce";
    const issuedAt = parseInt(parts[0], 36);
    if (!Number.isFinite(issuedAt) || issuedAt > nowMs + 60_000) return "invalid_nonce";
    return nowMs - issuedAt > NONCE_LIFETIME_MS ? "stale" : "ok";
  }

  private sign(body: string): string {
    return createHmac("sha256", this.secret).update(`${body}.${this.realm}`).digest("base64url").slice(0, 22);
  }
}

/** The `k="v", k=v, …` parameters of a `Digest …` header value (names lower-case); null when it is not one. */
function digestParams(value: string | undefined): Record<string, string> | null {
  if (!value || value.length > 4096) return null;
  const match = /^\s*Digest\s+(.*)$/is.exec(value);
  if (!match) return null;
  const params: Record<string, string> = {};
  const pattern = /([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))\s*(?:,|$)/g;
  for (const part of match[1].matchAll(pattern)) params[part[1].toLowerCase()] = part[2] !== undefined ? part[2].replace(/\\(.)/g, "$1") : part[3];
  return params;
}

/** Reads `Authorization: Digest k="v", k=v, …`; null when it is not a complete digest response. */
export function parseDigestAuthorization(value: string | undefined): DigestCredentials | null {
  const params = digestParams(value);
  if (!params) return null;
  const { username, realm, nonce, uri, response } = params;
  if (!username || realm === undefined || !nonce || !uri || !response) return null;
  return { username, realm, nonce, uri, response, qop: params.qop ?? null, nc: params.nc ?? null, cnonce: params.cnonce ?? null, algorithm: params.algorithm ?? null };
}

/** A provider's challenge (`WWW-Authenticate` / `Proxy-Authenticate`) as the client side reads it. */
export interface DigestChallenge {
  realm: string;
  nonce: string;
  /** "auth" when offered; null for an RFC 2069 challenge without qop. */
  qop: "auth" | null;
  opaque: string | null;
  stale: boolean;
}

/** Null when it is not a digest challenge we can answer (no nonce, an algorithm other than MD5, only auth-int). */
export function parseDigestChallenge(value: string | undefined): DigestChallenge | null {
  const params = digestParams(value);
  if (!params || params.realm === undefined || !params.nonce) return null;
  if ((params.algorithm ?? "MD5").toUpperCase() !== "MD5") return null;
  const offered = params.qop?.split(",").map((option) => option.trim().toLowerCase());
  if (offered && !offered.includes("auth")) return null;
  return { realm: params.realm, nonce: params.nonce, qop: offered ? "auth" : null, opaque: params.opaque ?? null, stale: params.stale?.toLowerCase() === "true" };
}

/** The `Authorization` value answering `challenge` for one request (client side: registering with a trunk's provider). */
export function digestAuthorization(challenge: DigestChallenge, request: { username: string; password: string; method: string; uri: string }, cnonce: string, nc = 1): string {
  const quoted = (text: string) => `"${text.replace(/["\\]/g, "\\$&")}"`;
  const ncText = nc.toString(16).padStart(8, "0");
  const qop = challenge.qop === "auth";
  const response = digestResponse({ ...request, realm: challenge.realm, nonce: challenge.nonce, nc: qop ? ncText : null, cnonce: qop ? cnonce : null });
  const parts = [
    `username=${quoted(request.username)}`,
    `realm=${quoted(challenge.realm)}`,
    `nonce=${quoted(challenge.nonce)}`,
    `uri=${quoted(request.uri)}`,
    `response="${response}"`,
    "algorithm=MD5",
    ...(challenge.qop === "auth" ? [`qop=auth`, `nc=${ncText}`, `cnonce=${quoted(cnonce)}`] : []),
    ...(challenge.opaque !== null ? [`opaque=${quoted(challenge.opaque)}`] : []),
  ];
  return `Digest ${parts.join(", ")}`;
}

/** What a client computes (tests, and registering with a trunk's provider). */
/** With `nc` and `cnonce` null: the RFC 2069 form (no qop), which some providers still challenge with. */
export function digestResponse(input: { username: string; password: string; realm: string; nonce: string; method: string; uri: string; nc: string | null; cnonce: string | null }): string {
  const ha1 = md5(`${input.username}:${input.realm}:${input.password}`);
  const ha2 = md5(`${input.method}:${input.uri}`);
  if (input.nc === null || input.cnonce === null) return md5(`${ha1}:${input.nonce}:${ha2}`);
  return md5(`${ha1}:${input.nonce}:${input.nc}:${input.cnonce}:auth:${ha2}`);
}

/**
 * The client side, for calls out through a trunk: the Authorization (or
 * Proxy-Authorization) value answering a `WWW-Authenticate`/`Proxy-Authenticate`
 * challenge. MD5 only, with `qop=auth` when offered and the RFC 2069 form
 * otherwise (many trunks still send no qop); null for anything else (SHA-256,
 * `auth-int` only), so the call fails instead of sending a wrong answer.
 */
export function answerChallenge(challenge: string, input: { username: string; password: string; method: string; uri: string }): string | null {
  const parsed = parseDigestChallenge(challenge);
  return parsed ? digestAuthorization(parsed, input, randomBytes(8).toString("hex")) : null;
}

function md5(text: string): string {
  return createHash("md5").update(text, "utf8").digest("hex");
}

function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
