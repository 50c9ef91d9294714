import crypto from "node:crypto";
import { asc, eq } from "drizzle-orm";
import { z } from "zod";
import { systemClock } from "@/flows/runtime/clock";
import type { Clock } from "@/flows/runtime/ports";
import type { Db } from "../db/client";
import { technicalUsers } from "../db/schema";
import { hashSecret } from "../auth/passwords";
import { newId } from "@/lib/ids";
import { apiScopes, type ApiScope } from "@/lib/scopes";
import { technicalUserInputSchema, technicalUserRotateSchema, type TechnicalUserInput } from "@/lib/schemas/integration";
import { notFound, ServiceError } from "./errors";

/**
 * Technical users: the identities CRMs use to call the public API. Secrets
 * are generated here, returned once (create, rotate) and stored only as
 * argon2id hashes. Verification lives with the REST API (server/api/rest/auth.ts).
 */
export const technicalUserCreateSchema = technicalUserInputSchema;

export interface TechnicalUserView {
  id: string;
  name: string;
  clientId: string;
  scopes: ApiScope[];
  ipAllowlist: string[];
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  /** During a rotation's grace period the previous secret still works until then. */
  previousSecretExpiresAt: string | null;
}

function generateSecret(): string {
  return crypto.randomBytes(32).toString("base64url");
}

/** The secret is returned here and nowhere else: only its argon2id hash is stored. */
export async function createTechnicalUser(db: Db, input: TechnicalUserInput): Promise<{ technicalUser: TechnicalUserView; clientSecret: string }> {
  const data = technicalUserInputSchema.parse(input);
  const id = newId("technicalUser");
  const clientId = `sb_${crypto.randomBytes(12).toString("hex")}`;
  const clientSecret = generateSecret();
  await db.insert(technicalUsers)
    .values({
      id,
      name: data.name,
      clientId,
      secretHash: await hashSecret(clientSecret),
      scopes: data.scopes ?? [...apiScopes],
      ipAllowlist: data.ipAllowlist,
    });
  return { technicalUser: await getTechnicalUser(db, id), clientSecret };
}

const viewColumns = {
  id: technicalUsers.id,
  name: technicalUsers.name,
  clientId: technicalUsers.clientId,
  scopes: technicalUsers.scopes,
  ipAllowlist: technicalUsers.ipAllowlist,
  createdAt: technicalUsers.createdAt,
  lastUsedAt: technicalUsers.lastUsedAt,
  revokedAt: technicalUsers.revokedAt,
  previousSecretExpiresAt: technicalUsers.previousSecretExpiresAt,
};

type ViewRow = { [K in keyof typeof viewColumns]: (typeof technicalUsers.$inferSelect)[K] };

function toView(row: ViewRow, now = Date.now()): TechnicalUserView {
  const previousValid = row.previousSecretExpiresAt !== null && Date.parse(row.previousSecretExpiresAt) > now;
  return { ...row, scopes: row.scopes as ApiScope[], previousSecretExpiresAt: previousValid ? row.previousSecretExpiresAt : null };
}

export async function getTechnicalUser(db: Db, id: string): Promise<TechnicalUserView> {
  const [row] = await db.select(viewColumns).from(technicalUsers).where(eq(technicalUsers.id, id)).limit(1);
  if (!row) throw notFound("technical user", id);
  return toView(row);
}

export async function listTechnicalUsers(db: Db): Promise<TechnicalUserView[]> {
  return (await db.select(viewColumns).from(technicalUsers).orderBy(asc(technicalUsers.name))).map((row) => toView(row));
}

const technicalUserUpdateSchema = technicalUserInputSchema.extend({ scopes: z.array(z.enum(apiScopes)).min(1, { error: "integration.errors.scopes" }) });

/** Name, scopes and IP allow-list; changes apply to the next request (the REST API re-reads the user every time). */
export async function updateTechnicalUser(db: Db, id: string, input: z.input<typeof technicalUserUpdateSchema>, clock: Clock = systemClock): Promise<TechnicalUserView> {
  const data = technicalUserUpdateSchema.parse(input);
  await requireActive(db, id);
  await db.update(technicalUsers)
    .set({ name: data.name, scopes: data.scopes, ipAllowlist: data.ipAllowlist, updatedAt: new Date(clock.now()).toISOString() })
    .where(eq(technicalUsers.id, id));
  return getTechnicalUser(db, id);
}

/**
 * A new secret, shown once. The old one keeps working for the grace period
 * the admin chose (default 24 h) so the CRM can switch over without failed
 * calls; a grace of 0 ends it at once.
 */
export async function rotateTechnicalUserSecret(
  db: Db,
  input: z.input<typeof technicalUserRotateSchema>,
  clock: Clock = systemClock,
): Promise<{ technicalUser: TechnicalUserView; clientSecret: string }> {
  const { id, graceHours } = technicalUserRotateSchema.parse(input);
  const current = await requireActive(db, id);
  const clientSecret = generateSecret();
  const now = clock.now();
  await db.update(technicalUsers)
    .set({
      secretHash: await hashSecret(clientSecret),
      previousSecretHash: graceHours > 0 ? current.secretHash : null,
      previousSecretExpiresAt: graceHours > 0 ? new Date(now + graceHours * 3_600_000).toISOString() : null,
      updatedAt: new Date(now).toISOString(),
    })
    .where(eq(technicalUsers.id, id));
  return { technicalUser: await getTechnicalUser(db, id), clientSecret };
}

/** Ends every credential of the user at once (both secrets, and its bearer tokens, which are checked against this). */
export async function revokeTechnicalUser(db: Db, id: string, clock: Clock = systemClock): Promise<TechnicalUserView> {
  const [current] = await db.select().from(technicalUsers).where(eq(technicalUsers.id, id)).limit(1);
  if (!current) throw notFound("technical user", id);
  if (!current.revokedAt) {
    const now = new Date(clock.now()).toISOString();
    await db.update(technicalUsers).set({ revokedAt: now, previousSecretHash: null, previousSecretExpiresAt: null, updatedAt: now }).where(eq(technicalUsers.id, id));
  }
  return getTechnicalUser(db, id);
}

async function requireActive(db: Db, id: string) {
  const [current] = await db.select().from(technicalUsers).where(eq(technicalUsers.id, id)).limit(1);
  if (!current) throw notFound("technical user", id);
  if (current.revokedAt) throw new ServiceError("precondition_failed", `technical user ${id} is revoked`, { messageKey: "integration.errors.revoked" });
  return current;
}
