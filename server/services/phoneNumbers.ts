import { asc, eq } from "drizzle-orm";
import type { Db } from "../db/client";
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

function parseInput(db: Db, input: PhoneNumberInput) {
  const data = phoneNumberInputSchema.parse(input);
  const number = toE164(data.number, getConfig().DEFAULT_REGION);
  if (!number) throw new ServiceError("invalid", `${data.number} is not a valid phone number`, { field: "number", messageKey: "errors.phoneNumber" });
  if (data.flowId && !db.select({ id: flows.id }).from(flows).where(eq(flows.id, data.flowId)).get()) {
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

export function listPhoneNumbers(db: Db): PhoneNumberView[] {
  return query(db).orderBy(asc(phoneNumbers.number)).all();
}

export function getPhoneNumber(db: Db, id: string): PhoneNumberView {
  const row = query(db).where(eq(phoneNumbers.id, id)).get();
  if (!row) throw notFound("Phone number", id);
  return row;
}

export function createPhoneNumber(db: Db, input: PhoneNumberInput): PhoneNumberView {
  const data = parseInput(db, input);
  const id = newId("phoneNumber");
  try {
    db.insert(phoneNumbers).values({ id, ...data }).run();
  } catch (error) {
    if (isUniqueViolation(error)) throw numberTaken();
    throw error;
  }
  return getPhoneNumber(db, id);
}

export function updatePhoneNumber(db: Db, id: string, input: PhoneNumberInput): PhoneNumberView {
  const data = parseInput(db, input);
  try {
    const result = db.update(phoneNumbers).set({ ...data, updatedAt: new Date().toISOString() }).where(eq(phoneNumbers.id, id)).run();
    if (result.changes === 0) throw notFound("Phone number", id);
  } catch (error) {
    if (isUniqueViolation(error)) throw numberTaken();
    throw error;
  }
  return getPhoneNumber(db, id);
}

export function deletePhoneNumber(db: Db, id: string): void {
  const result = db.delete(phoneNumbers).where(eq(phoneNumbers.id, id)).run();
  if (result.changes === 0) throw notFound("Phone number", id);
}
