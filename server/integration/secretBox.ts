import crypto from "node:crypto";
import { getAppSecret } from "../config";

/**
 * Encryption at rest for CRM credentials and webhook signing secrets:
 * AES-256-GCM with a key derived (HKDF-SHA256) from the app secret, so the
 * database alone does not reveal them. Format: `v1.<iv>.<tag>.<ciphertext>`
 * (base64url). A tampered or foreign ciphertext fails to open.
 */
const VERSION = "v1";
const keys = new Map<string, Buffer>();

function keyFor(appSecret: string, purpose: string): Buffer {
  const cacheKey = `${purpose}\0${appSecret}`;
  let key = keys.get(cacheKey);
  if (!key) {
    key = Buffer.from(crypto.hkdfSync("sha256", appSecret, "switchboard", `integration/${purpose}`, 32));
    keys.set(cacheKey, key);
  }
  return key;
}

export function sealSecret(plaintext: string, appSecret: string = getAppSecret()): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv("aes-256-gcm", keyFor(appSecret, "credentials"), iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [VERSION, iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), ciphertext.toString("base64url")].join(".");
}

export function openSecret(sealed: string, appSecret: string = getAppSecret()): string {
  const [version, iv, tag, ciphertext] = sealed.split(".");
  if (version !== VERSION || !iv || !tag || ciphertext === undefined) throw new Error("not a sealed secret");
  const decipher = crypto.createDecipheriv("aes-256-gcm", keyFor(appSecret, "credentials"), Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString("utf8");
}

/** A key for signing (recording links), separate from the encryption key. */
export function derivedKey(purpose: string, appSecret: string = getAppSecret()): Buffer {
  return keyFor(appSecret, purpose);
}

/** What the portal shows of a stored secret: its last four characters, never more. */
export function secretHint(secret: string): string {
  return secret.length <= 8 ? "••••" : `••••${secret.slice(-4)}`;
}
