import { asc, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { affectedRows } from "../db/transaction";
import { extensions, users } from "../db/schema";
import { newId } from "@/lib/ids";
import { extensionInputSchema, type ExtensionInput } from "@/lib/schemas/directory";
import { ServiceError, isUniqueViolation, notFound } from "./errors";

export interface ExtensionView {
  id: string;
  number: string;
  name: string;
  enabled: boolean;
  ownerUserId: string | null;
  ownerName: string | null;
}

const numberTaken = () =>
  new ServiceError("conflict", "This extension number is already in use", { field: "number", messageKey: "errors.extensionTaken" });

function extensionQuery(db: Db) {
  return db
    .select({
      id: extensions.id,
      number: extensions.number,
      name: extensions.name,
      enabled: extensions.enabled,
      ownerUserId: extensions.ownerUserId,
      ownerFirstName: users.firstName,
      ownerLastName: users.lastName,
    })
    .from(extensions)
    .leftJoin(users, eq(users.id, extensions.ownerUserId));
}

function toView(row: Awaited<ReturnType<typeof extensionQuery>>[number]): ExtensionView {
  const { ownerFirstName, ownerLastName, ...rest } = row;
  return { ...rest, ownerName: ownerFirstName === null ? null : `${ownerFirstName} ${ownerLastName ?? ""}`.trim() };
}

export async function listExtensions(db: Db): Promise<ExtensionView[]> {
  return (await extensionQuery(db).orderBy(asc(extensions.number))).map(toView);
}

export async function getExtension(db: Db, id: string): Promise<ExtensionView> {
  const [row] = await extensionQuery(db).where(eq(extensions.id, id)).limit(1);
  if (!row) throw notFound("Extension", id);
  return toView(row);
}

export async function getExtensionByNumber(db: Db, number: string): Promise<ExtensionView | null> {
  const [row] = await extensionQuery(db).where(eq(extensions.number, number)).limit(1);
  return row ? toView(row) : null;
}

async function assertOwnerExists(db: Db, ownerUserId: string | null): Promise<void> {
  if (ownerUserId && (await db.select({ id: users.id }).from(users).where(eq(users.id, ownerUserId)).limit(1)).length === 0) {
    throw new ServiceError("invalid", "The selected owner does not exist", { field: "ownerUserId", messageKey: "errors.notFound" });
  }
}

export async function createExtension(db: Db, input: ExtensionInput): Promise<ExtensionView> {
  const data = extensionInputSchema.parse(input);
  await assertOwnerExists(db, data.ownerUserId);
  const id = newId("extension");
  try {
    await db.insert(extensions).values({ id, ...data });
  } catch (error) {
    if (isUniqueViolation(error)) throw numberTaken();
    throw error;
  }
  return getExtension(db, id);
}

export async function updateExtension(db: Db, id: string, input: ExtensionInput): Promise<ExtensionView> {
  const data = extensionInputSchema.parse(input);
  await assertOwnerExists(db, data.ownerUserId);
  try {
    const result = await db
      .update(extensions)
      .set({ ...data, updatedAt: new Date().toISOString() })
      .where(eq(extensions.id, id));
    if (affectedRows(result) === 0) throw notFound("Extension", id);
  } catch (error) {
    if (isUniqueViolation(error)) throw numberTaken();
    throw error;
  }
  return getExtension(db, id);
}

/** Forwarding rules go with the extension (ON DELETE CASCADE); its owner keeps their account. */
export async function deleteExtension(db: Db, id: string): Promise<void> {
  const result = await db.delete(extensions).where(eq(extensions.id, id));
  if (affectedRows(result) === 0) throw notFound("Extension", id);
}
