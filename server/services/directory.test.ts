import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { createTestDb } from "@/tests/helpers/db";
import type { Db } from "../db/client";
import { forwardingRules, technicalUsers, users } from "../db/schema";
import { createExtension, deleteExtension, getExtension, listExtensions, updateExtension } from "./extensions";
import { createPhoneNumber, listPhoneNumbers, updatePhoneNumber } from "./phoneNumbers";
import { createUser, deleteUser, listUsers, updateUser } from "./users";
import { createFirstAdmin, needsFirstAdmin } from "./setup";
import { seedDemo } from "./demo";
import { createTechnicalUser } from "./technicalUsers";
import { verifySecret } from "../auth/passwords";
import { serviceError } from "@/tests/helpers/errors";

let db: Db;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ db, cleanup } = await createTestDb()));
afterEach(() => cleanup());

const userInput = { email: "eva@example.com", firstName: "Éva", lastName: "Kiss", role: "user" as const, password: "long enough password" };

describe("extensions", () => {
  it("refuses a duplicate number with a conflict on the number field and keeps the first", async () => {
    await createExtension(db, { number: "201", name: "Sales", ownerUserId: null });
    const error = await serviceError(() => createExtension(db, { number: "201", name: "Other", ownerUserId: null }));
    expect(error.code).toBe("conflict");
    expect(error.options.field).toBe("number");
    expect((await listExtensions(db)).map((e) => e.name)).toEqual(["Sales"]);
  });

  it("rejects malformed numbers before touching the database", async () => {
    await expect(createExtension(db, { number: "01", name: "x", ownerUserId: null })).rejects.toThrow(/errors.extensionNumber/);
    expect(await listExtensions(db)).toHaveLength(0);
  });

  it("keeps the extension without an owner when its user is deleted, and removes forwarding rules with the extension", async () => {
    const owner = await createUser(db, userInput);
    const admin = await createUser(db, { ...userInput, email: "admin@example.com", role: "admin" });
    const extension = await createExtension(db, { number: "202", name: "Éva", ownerUserId: owner.id });
    await db.insert(forwardingRules).values({ extensionId: extension.id, kind: "busy", enabled: true, destinationType: "extension", destinationNumber: "101" });

    await deleteUser(db, owner.id, admin.id);
    expect((await getExtension(db, extension.id)).ownerUserId).toBeNull();

    await deleteExtension(db, extension.id);
    expect((await db.select().from(forwardingRules))).toHaveLength(0);
  });

  it("refuses an owner that does not exist", async () => {
    const error = await serviceError(() => createExtension(db, { number: "203", name: "x", ownerUserId: "usr_missing" }));
    expect(error.options.field).toBe("ownerUserId");
  });

  it("refuses renumbering onto a taken number", async () => {
    await createExtension(db, { number: "301", name: "a", ownerUserId: null });
    const b = await createExtension(db, { number: "302", name: "b", ownerUserId: null });
    expect((await serviceError(() => updateExtension(db, b.id, { number: "301", name: "b", ownerUserId: null }))).code).toBe("conflict");
    expect((await getExtension(db, b.id)).number).toBe("302");
  });
});

describe("phone numbers", () => {
  it("stores national input as E.164 and refuses the same number written differently", async () => {
    expect((await createPhoneNumber(db, { number: "06 1 234 5678", label: "Main" })).number).toBe("+3612345678");
    const error = await serviceError(() => createPhoneNumber(db, { number: "+36 1 234 5678" }));
    expect(error.code).toBe("conflict");
    expect(await listPhoneNumbers(db)).toHaveLength(1);
  });

  it("refuses an invalid number and an unknown flow, naming the field", async () => {
    expect((await serviceError(() => createPhoneNumber(db, { number: "12345" }))).options.field).toBe("number");
    const did = await createPhoneNumber(db, { number: "+3612345678" });
    expect((await serviceError(() => updatePhoneNumber(db, did.id, { number: "+3612345678", flowId: "flw_nope" }))).options.field).toBe("flowId");
  });
});

describe("users", () => {
  it("stores only an argon2id hash of the password and refuses duplicate e-mails case-insensitively", async () => {
    const user = await createUser(db, userInput);
    const row = (await db.select().from(users).where(eq(users.id, user.id)).limit(1))[0]!;
    expect(row.passwordHash).toMatch(/^\$argon2id\$/);
    expect(row.passwordHash).not.toContain(userInput.password);
    expect(await verifySecret(row.passwordHash!, userInput.password)).toBe(true);
    const error = await serviceError(() => createUser(db, { ...userInput, email: "EVA@example.com" }));
    expect(error.options.field).toBe("email");
  });

  it("does not let an admin demote or delete themselves", async () => {
    const admin = await createUser(db, { ...userInput, role: "admin" });
    const demote = await serviceError(async () =>
      await updateUser(db, { id: admin.id, email: admin.email, firstName: "x", lastName: "y", role: "user", enabled: true }, admin.id),
    );
    expect(demote.options.messageKey).toBe("errors.selfDemote");
    expect((await serviceError(() => deleteUser(db, admin.id, admin.id))).options.messageKey).toBe("errors.selfDelete");
  });
});

describe("first run", () => {
  it("creates exactly one first admin, even with demo users present", async () => {
    await seedDemo(db);
    expect(await needsFirstAdmin(db)).toBe(true);
    const input = { organisation: "Példa Kft.", email: "boss@example.com", firstName: "Béla", password: "a good long password", locale: "hu" as const };
    await createFirstAdmin(db, input);
    expect(await needsFirstAdmin(db)).toBe(false);
    const second = await serviceError(() => createFirstAdmin(db, { ...input, email: "intruder@example.com" }));
    expect(second.code).toBe("forbidden");
    expect((await db.select().from(users).where(eq(users.role, "admin")))).toHaveLength(1);
  });
});

describe("demo organisation", () => {
  it("seeds extensions 101–105, a DID, a queue and contacts once, without passwords", async () => {
    const first = await seedDemo(db);
    expect(first.extensions).toEqual(["101", "102", "103", "104", "105"]);
    expect(first.phoneNumbers).toEqual(["+3612345678"]);
    expect(first.queues).toHaveLength(1);
    expect(first.contacts).toBeGreaterThan(0);
    expect((await db.select().from(users)).every((u) => u.passwordHash === null)).toBe(true);
    expect((await seedDemo(db)).seeded).toBe(false);
    const anna = (await listUsers(db)).find((u) => u.email === "anna.kovacs@demo.example");
    expect(anna).toMatchObject({ extension: "101", agentId: null });
    expect((await listUsers(db)).find((u) => u.extension === "102")?.agentId).toMatch(/^agt_/);
    expect(await listExtensions(db)).toHaveLength(5);
  });
});

describe("technical users", () => {
  it("returns the secret once and stores only its hash, with all scopes by default", async () => {
    const { technicalUser, clientSecret } = await createTechnicalUser(db, { name: "CRM" });
    const row = (await db.select().from(technicalUsers).where(eq(technicalUsers.id, technicalUser.id)).limit(1))[0]!;
    expect(row.secretHash).not.toContain(clientSecret);
    expect(await verifySecret(row.secretHash, clientSecret)).toBe(true);
    expect(technicalUser.scopes).toContain("simulator");
    expect(technicalUser).not.toHaveProperty("secretHash");
  });
});
