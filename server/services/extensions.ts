import { asc, eq } from "drizzle-orm";
import type { Db } from "../db/client";
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

function toView(row: Awaited<ReturnType<ReturnType<typeof extensionQuery>["all"]>>[number]): ExtensionView {
  const { ownerFirstName, ownerLastName, ...rest } = row;
  return { ...rest, ownerName: ownerFirstName === null ? null : `${ownerFirstName} ${ownerLastName ?? ""}`.trim() };
}

export function listExtensions(db: Db): ExtensionView[] {
  return extensionQuery(db).orderBy(asc(extensions.number)).all().map(toView);
}

export function getExtension(db: Db, id: string): ExtensionView {
  const row = extensionQuery(db).where(eq(extensions.id, id)).get();
  if (!row) throw notFound("Extension", id);
  return toView(row);
}

export function getExtensionByNumber(db: Db, number: string): ExtensionView | null {
  const row = extensionQuery(db).where(eq(extensions.number, number)).get();
  return row ? toView(row) : null;
}

function assertOwnerExists(db: Db, ownerUserId: string | null) {
  if (ownerUserId && !db.select({ id: users.id }).from(users).where(eq(users.id, ownerUserId)).get()) {
    throw new ServiceError("invalid", "The selected owner does not exist", { field: "ownerUserId", messageKey: "errors.notFound" });
  }
}

export function createExtension(db: Db, input: ExtensionInput): ExtensionView {
  const data = extensionInputSchema.parse(input);
  assertOwnerExists(db, data.ownerUserId);
  const id = newId("extension");
  try {
    db.insert(extensions).values({ id, ...data }).run();
  } catch (error) {
    if (isUniqueViolation(error)) throw numberTaken();
    throw error;
  }
  return getExtension(db, id);
}

export function updateExtension(db: Db, id: string, input: ExtensionInput): ExtensionView {
  const data = extensionInputSchema.parse(input);
  assertOwnerExists(db, data.ownerUserId);
  try {
    const result = db
      .update(extensions)
      .set({ ...data, updatedAt: new Date().toISOString() })
      .where(eq(extensions.id, id))
      .run();
    if (result.changes === 0) throw notFound("Extension", id);
  } catch (error) {
    if (isUniqueViolation(error)) throw numberTaken();
    throw error;
  }
  return getExtension(db, id);
}

/** Forwarding rules go with the extension (ON DELETE CASCADE); its owner keeps their account. */
export function deleteExtension(db: Db, id: string): void {
  const result = db.delete(extensions).where(eq(extensions.id, id)).run();
  if (result.changes === 0) throw notFound("Extension", id);
}
