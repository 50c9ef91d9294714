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

/** Reads `Authorization: Digest k="v", k=v, …`; null when it is not a complete digest response. */
export function parseDigestAuthorization(value: string | undefined): DigestCredentials | null {
  const params = digestParams(value);
  if (!params) return null;
  const { username, realm, nonce, uri, response } = params;
  if (!username || realm === undefined || !nonce || !uri || !response) return null;
  return { username, realm, nonce, uri, response, qop: params.qop ?? null, nc: params.nc ?? null, cnonce: params.cnonce ?? null, algorithm: params.algorithm ?? null };
}

/** The `k="v", k=v` parameters of a `Digest …` challenge or response (names lower-cased); null when it is not one. */
function digestParams(value: string | undefined): Record<string, string> | null {
  if (!value || value.length > 4096) return null;
  const match = /^\s*Digest\s+(.*)$/is.exec(value);
  if (!match) return null;
  const params: Record<string, string> = {};
  const pattern = /([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))\s*(?:,|$)/g;
  for (const part of match[1].matchAll(pattern)) params[part[1].toLowerCase()] = part[2] !== undefined ? part[2].replace(/\\(.)/g, "$1") : part[3];
  return params;
}

/** What a client computes with `qop=auth` (tests, and `answerChallenge` for calls out through the trunk). */
export function digestResponse(input: { username: string; password: string; realm: string; nonce: string; method: string; uri: string; nc: string; cnonce: string }): string {
  const ha1 = md5(`${input.username}:${input.realm}:${input.password}`);
  const ha2 = md5(`${input.method}:${input.uri}`);
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
  const params = digestParams(challenge);
  if (!params) return null;
  const { realm, nonce, opaque } = params;
  if (realm === undefined || !nonce || (params.algorithm ?? "MD5").toUpperCase() !== "MD5") return null;
  const qops = params.qop?.split(",").map((qop) => qop.trim().toLowerCase()) ?? null;
  if (qops && !qops.includes("auth")) return null;
  const quoted = (value: string) => `"${value.replace(/["\\]/g, "\\$&")}"`;
  const fields = [`username=${quoted(input.username)}`, `realm=${quoted(realm)}`, `nonce=${quoted(nonce)}`, `uri=${quoted(input.uri)}`];
  if (qops) {
    const cnonce = randomBytes(8).toString("hex");
    const response = digestResponse({ ...input, realm, nonce, nc: "00000001", cnonce });
    fields.push(`response="${response}"`, "algorithm=MD5", "qop=auth", "nc=00000001", `cnonce="${cnonce}"`);
  } else {
    const ha1 = md5(`${input.username}:${realm}:${input.password}`);
    fields.push(`response="${md5(`${ha1}:${nonce}:${md5(`${input.method}:${input.uri}`)}`)}"`, "algorithm=MD5");
  }
  if (opaque !== undefined) fields.push(`opaque=${quoted(opaque)}`);
  return `Digest ${fields.join(", ")}`;
}

function md5(text: string): string {
  return createHash("md5").update(text, "utf8").digest("hex");
}

function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
