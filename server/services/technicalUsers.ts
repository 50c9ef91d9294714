import crypto from "node:crypto";
import { asc, eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../db/client";
import { technicalUsers } from "../db/schema";
import { hashSecret } from "../auth/passwords";
import { newId } from "@/lib/ids";
import { apiScopes, type ApiScope } from "@/lib/scopes";

export const technicalUserCreateSchema = z.strictObject({
  name: z.string().trim().min(1, { error: "errors.required" }).max(80),
  scopes: z.array(z.enum(apiScopes)).min(1).optional(),
  ipAllowlist: z.array(z.string().trim().min(1).max(64)).max(50).default([]),
});

export interface TechnicalUserView {
  id: string;
  name: string;
  clientId: string;
  scopes: ApiScope[];
  ipAllowlist: string[];
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** The secret is returned here and nowhere else: only its argon2id hash is stored. */
export async function createTechnicalUser(
  db: Db,
  input: z.input<typeof technicalUserCreateSchema>,
): Promise<{ technicalUser: TechnicalUserView; clientSecret: string }> {
  const data = technicalUserCreateSchema.parse(input);
  const id = newId("technicalUser");
  const clientId = `sb_${crypto.randomBytes(12).toString("hex")}`;
  const clientSecret = crypto.randomBytes(32).toString("base64url");
  db.insert(technicalUsers)
    .values({
      id,
      name: data.name,
      clientId,
      secretHash: await hashSecret(clientSecret),
      scopes: data.scopes ?? [...apiScopes],
      ipAllowlist: data.ipAllowlist,
    })
    .run();
  return { technicalUser: getTechnicalUser(db, id), clientSecret };
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
};

export function getTechnicalUser(db: Db, id: string): TechnicalUserView {
  const row = db.select(viewColumns).from(technicalUsers).where(eq(technicalUsers.id, id)).get();
  if (!row) throw new Error(`technical user ${id} vanished`);
  return { ...row, scopes: row.scopes as ApiScope[] };
}

export function listTechnicalUsers(db: Db): TechnicalUserView[] {
  return db
    .select(viewColumns)
    .from(technicalUsers)
    .orderBy(asc(technicalUsers.name))
    .all()
    .map((row) => ({ ...row, scopes: row.scopes as ApiScope[] }));
}
