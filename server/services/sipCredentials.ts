/**
 * Extensions' SIP passwords (issue #13): a phone registers with the extension
 * number as user name and this password. Generated here (never chosen by a
 * person), sealed at rest with the app secret, returned in plain text only by
 * the call that generated it; generating again rotates it (the old phone's
 * next registration then fails).
 */
import { randomBytes } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { extensions, sipCredentials } from "../db/schema";
import { openSecret, sealSecret } from "../integration/secretBox";
import { notFound } from "./errors";

export interface SipCredentialStatus {
  extensionId: string;
  /** The SIP user name: the extension number. */
  sipUser: string;
  hasPassword: boolean;
  /** When the current password was generated (ISO 8601), null without one. */
  passwordSetAt: string | null;
}

export interface GeneratedSipPassword {
  extensionId: string;
  sipUser: string;
  /** Shown once: only its sealed form is stored. */
  password: string;
}

/** 18 random bytes: 24 url-safe characters, easy to type into a phone's keypad-less web UI, 144 bits. */
function newSipPassword(): string {
  return randomBytes(18).toString("base64url");
}

async function extensionNumber(db: Db, extensionId: string): Promise<string> {
  const [row] = await db.select({ number: extensions.number }).from(extensions).where(eq(extensions.id, extensionId)).limit(1);
  if (!row) throw notFound("Extension", extensionId);
  return row.number;
}

export async function sipCredentialStatus(db: Db, extensionId: string): Promise<SipCredentialStatus> {
  const sipUser = await extensionNumber(db, extensionId);
  const [row] = await db.select({ setAt: sipCredentials.updatedAt }).from(sipCredentials).where(eq(sipCredentials.extensionId, extensionId)).limit(1);
  return { extensionId, sipUser, hasPassword: row !== undefined, passwordSetAt: row?.setAt ?? null };
}

/** Generates (or rotates) the extension's SIP password and returns it, the only time it is readable. */
export async function generateSipPassword(db: Db, extensionId: string, appSecret?: string): Promise<GeneratedSipPassword> {
  const sipUser = await extensionNumber(db, extensionId);
  const password = newSipPassword();
  const sealedPassword = sealSecret(password, appSecret);
  await db
    .insert(sipCredentials)
    .values({ extensionId, sealedPassword })
    .onConflictDoUpdate({ target: sipCredentials.extensionId, set: { sealedPassword, updatedAt: sql`excluded.updated_at` } });
  return { extensionId, sipUser, password };
}

/** Extension numbers with their sealed SIP password and enabled flag: one query, per number (SQLite) or whole (PostgreSQL). */
function sipCredentialRowsQuery(db: Db) {
  return db
    .select({ number: extensions.number, sealed: sipCredentials.sealedPassword, enabled: extensions.enabled })
    .from(extensions)
    .innerJoin(sipCredentials, eq(sipCredentials.extensionId, extensions.id));
}

/**
 * The SIP password the registrar checks for an extension number; null for a disabled or unknown extension or one without a password.
 * Synchronous: the registrar asks during a REGISTER (the runtime's sync boundary, server/db/README.md). SQLite reads it per
 * REGISTER; PostgreSQL keeps `loadSealedSipPasswords` in memory (server/runtime/sipEdgeData.ts).
 */
export function sipPasswordFor(db: Db, number: string, appSecret?: string): string | null {
  const row = sipCredentialRowsQuery(db).where(eq(extensions.number, number)).get();
  return row && row.enabled ? openSecret(row.sealed, appSecret) : null;
}

/** Every enabled extension's sealed SIP password by number (open one with `openSipPassword`). */
export async function loadSealedSipPasswords(db: Db): Promise<Map<string, string>> {
  const rows = await sipCredentialRowsQuery(db);
  return new Map(rows.filter((row) => row.enabled).map((row) => [row.number, row.sealed]));
}

export function openSipPassword(sealed: string | undefined, appSecret?: string): string | null {
  return sealed === undefined ? null : openSecret(sealed, appSecret);
}
