import crypto from "node:crypto";

/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com/):
 * `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` keyed with the base64
 * part of a `whsec_` secret. During a secret rotation the header carries one
 * signature per valid secret, space-separated, so either verifies.
 */
const PREFIX = "whsec_";

export function generateSigningSecret(): string {
  return PREFIX + crypto.randomBytes(32).toString("base64");
}

/** Secrets are decoded into key objects once, not on every signature (a handful of endpoints, a few rotations). */
const keys = new Map<string, crypto.KeyObject>();
const KEYS_KEPT = 256;

function secretKey(secret: string): crypto.KeyObject {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.createSecretKey(Buffer.from(secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret, "base64"));
    if (keys.size >= KEYS_KEPT) keys.clear();
    keys.set(secret, key);
  }
  return key;
}

export function signature(secret: string, id: string, timestampS: number, body: string): string {
  return "v1," + crypto.createHmac("sha256", secretKey(secret)).update(`${id}.${timestampS}.${body}`).digest("base64");
}

export interface WebhookHeaders {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
}

/** Headers for one attempt: signed anew each time, with the attempt's own timestamp. */
export function webhookHeaders(secrets: readonly string[], id: string, timestampMs: number, body: string): WebhookHeaders {
  const timestampS = Math.floor(timestampMs / 1000);
  return {
    "webhook-id": id,
    "webhook-timestamp": String(timestampS),
    "webhook-signature": secrets.map((secret) => signature(secret, id, timestampS, body)).join(" "),
  };
}
