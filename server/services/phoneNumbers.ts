import { asc, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { affectedRows } from "../db/transaction";
import { flows, phoneNumbers } from "../db/schema";
import { newId } from "@/lib/ids";
import { toE164 } from "@/lib/phone";
import { phoneNumberInputSchema, type PhoneNumberInput } from "@/lib/schemas/directory";
import { getConfig } from "../config";
import { ServiceError, isUniqueViolation, notFound } from "./errors";

export interface PhoneNumberView {
  id: string;
  number: string;
  label: string;
  flowId: string | null;
  flowName: string | null;
}

async function parseInput(db: Db, input: PhoneNumberInput) {
  const data = phoneNumberInputSchema.parse(input);
  const number = toE164(data.number, getConfig().DEFAULT_REGION);
  if (!number) throw new ServiceError("invalid", `${data.number} is not a valid phone number`, { field: "number", messageKey: "errors.phoneNumber" });
  if (data.flowId && (await db.select({ id: flows.id }).from(flows).where(eq(flows.id, data.flowId)).limit(1)).length === 0) {
    throw new ServiceError("invalid", "The selected flow does not exist", { field: "flowId", messageKey: "errors.notFound" });
  }
  return { ...data, number };
}

const numberTaken = () => new ServiceError("conflict", "This number is already configured", { field: "number", messageKey: "errors.didTaken" });

function query(db: Db) {
  return db
    .select({ id: phoneNumbers.id, number: phoneNumbers.number, label: phoneNumbers.label, flowId: phoneNumbers.flowId, flowName: flows.name })
    .from(phoneNumbers)
    .leftJoin(flows, eq(flows.id, phoneNumbers.flowId));
}

export async function listPhoneNumbers(db: Db): Promise<PhoneNumberView[]> {
  return query(db).orderBy(asc(phoneNumbers.number));
}

export async function getPhoneNumber(db: Db, id: string): Promise<PhoneNumberView> {
  const [row] = await query(db).where(eq(phoneNumbers.id, id)).limit(1);
  if (!row) throw notFound("Phone number", id);
  return row;
}

export async function createPhoneNumber(db: Db, input: PhoneNumberInput): Promise<PhoneNumberView> {
  const data = await parseInput(db, input);
  const id = newId("phoneNumber");
  try {
    await db.insert(phoneNumbers).values({ id, ...data });
  } catch (error) {
    if (isUniqueViolation(error)) throw numberTaken();
    throw error;
  }
  return getPhoneNumber(db, id);
}

export async function updatePhoneNumber(db: Db, id: string, input: PhoneNumberInput): Promise<PhoneNumberView> {
  const data = await parseInput(db, input);
  try {
    const result = await db.update(phoneNumbers).set({ ...data, updatedAt: new Date().toISOString() }).where(eq(phoneNumbers.id, id));
    if (affectedRows(result) === 0) throw notFound("Phone number", id);
  } catch (error) {
    if (isUniqueViolation(error)) throw numberTaken();
    throw error;
  }
  return getPhoneNumber(db, id);
}

export async function deletePhoneNumber(db: Db, id: string): Promise<void> {
  const result = await db.delete(phoneNumbers).where(eq(phoneNumbers.id, id));
  if (affectedRows(result) === 0) throw notFound("Phone number", id);
}
