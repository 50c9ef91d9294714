import { hash, verify } from "@node-rs/argon2";

// argon2id with the library's defaults (19 MiB, t=2): OWASP's recommended minimum.
export function hashSecret(secret: string): Promise<string> {
  return hash(secret);
}

export async function verifySecret(storedHash: string, candidate: string): Promise<boolean> {
  try {
    return await verify(storedHash, candidate);
  } catch {
    return false;
  }
}
