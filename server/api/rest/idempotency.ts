/**
 * `Idempotency-Key` on creating POSTs (API.md §Conventions): the first
 * successful response is stored for 24 h per technical user and key; the same
 * key with the same request replays it, with a different request it is a 422.
 */
import crypto from "node:crypto";
import { and, eq, lt } from "drizzle-orm";
import type { Db } from "@/server/db/client";
import { transaction } from "../../db/transaction";
import { apiIdempotencyKeys } from "@/server/db/schema";
import { ApiProblem } from "./problem";
import type { ApiRequestInfo } from "./operation";

const RETENTION_MS = 24 * 60 * 60 * 1000;
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export interface StoredResponse {
  status: number;
  body: string;
  headers: Record<string, string>;
}

/**
 * A claim row (status 0) marks a key whose first request is still running, so a concurrent retry gets a 409 —
 * in whichever bundle or process it lands. A claim older than this was left by a crashed process and is taken over.
 */
const CLAIM_TIMEOUT_MS = 5 * 60 * 1000;
const IN_PROGRESS = 0;

export function readIdempotencyKey(request: ApiRequestInfo): string | null {
  const key = request.headers.get("idempotency-key");
  if (key === null) return null;
  if (!KEY_PATTERN.test(key)) {
    throw new ApiProblem(400, "Idempotency-Key must be 1–255 visible ASCII characters", {
      errors: [{ path: "header.Idempotency-Key", code: "invalid_format", message: "Use 1–255 visible ASCII characters" }],
    });
  }
  return key;
}

/** Stable across whitespace and key order: method, path and the parsed body. */
export function requestFingerprint(method: string, path: string, body: unknown): string {
  return crypto.createHash("sha256").update(`${method} ${path}\n${canonicalJson(body)}`).digest("hex");
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

/**
 * Runs `produce` once per (technical user, key, request). Only 2xx responses
 * are kept, so a request that failed can be corrected and retried with its key.
 */
export async function withIdempotency(
  db: Db,
  scope: { technicalUserId: string; key: string; fingerprint: string },
  produce: () => Promise<StoredResponse>,
  nowMs = Date.now(),
): Promise<StoredResponse & { replayed: boolean }> {
  const { technicalUserId, key, fingerprint } = scope;
  const cutoff = new Date(nowMs - RETENTION_MS).toISOString();
  const claimCutoff = new Date(nowMs - CLAIM_TIMEOUT_MS).toISOString();
  const where = and(eq(apiIdempotencyKeys.technicalUserId, technicalUserId), eq(apiIdempotencyKeys.key, key));

  // Read and claim in one write transaction (BEGIN IMMEDIATE): two requests with the same key cannot both claim it.
  const stored = await transaction(db, async (tx) => {
    const [row] = await tx.select().from(apiIdempotencyKeys).where(where).limit(1);
    const live = row && (row.status === IN_PROGRESS ? row.createdAt > claimCutoff : row.createdAt > cutoff);
    if (live) return row;
    // Expired keys are swept here, on the write path, rather than by a timer.
    await tx.delete(apiIdempotencyKeys).where(lt(apiIdempotencyKeys.createdAt, cutoff));
    await tx.delete(apiIdempotencyKeys).where(where);
    await tx
      .insert(apiIdempotencyKeys)
      .values({ technicalUserId, key, requestHash: fingerprint, status: IN_PROGRESS, body: "", headers: {}, createdAt: new Date(nowMs).toISOString() });
    return null;
  });

  if (stored) {
    if (stored.requestHash !== fingerprint) {
      throw new ApiProblem(422, "This Idempotency-Key was already used with a different request", {
        errors: [{ path: "header.Idempotency-Key", code: "key_reused", message: "Already used with a different request; use a new key" }],
      });
    }
    if (stored.status === IN_PROGRESS) throw new ApiProblem(409, "A request with this Idempotency-Key is still being processed; retry shortly");
    return { status: stored.status, body: stored.body, headers: stored.headers, replayed: true };
  }

  let response: StoredResponse | undefined;
  try {
    response = await produce();
    return { ...response, replayed: false };
  } finally {
    if (response && response.status >= 200 && response.status < 300) {
      await db.update(apiIdempotencyKeys).set({ status: response.status, body: response.body, headers: response.headers }).where(where);
    } else {
      await db.delete(apiIdempotencyKeys).where(where);
    }
  }
}
