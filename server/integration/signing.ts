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

function secretBytes(secret: string): Buffer {
  return Buffer.from(secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret, "base64");
}

export function signature(secret: string, id: string, timestampS: number, body: string): string {
  return "v1," + crypto.createHmac("sha256", secretBytes(secret)).update(`${id}.${timestampS}.${body}`).digest("base64");
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
