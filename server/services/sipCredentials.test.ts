import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDb, onPostgres } from "@/tests/helpers/db";
import { callerAs, trpcCode } from "@/tests/helpers/trpc";
import type { Db } from "../db/client";
import { sipCredentials } from "../db/schema";
import { createExtension, deleteExtension, updateExtension } from "./extensions";
import { generateSipPassword, sipCredentialStatus, sipPasswordFor } from "./sipCredentials";

let db: Db;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ db, cleanup } = await createTestDb()));
afterEach(() => cleanup());

// SQLite only for now: TELEPHONY=sip's synchronous reads (the registrar's password look-up) have no PostgreSQL form yet (server/db/README.md, "The suite on both backends").
describe.skipIf(onPostgres)("SIP passwords", () => {
  it("are generated server-side, stored sealed, readable by the registrar, rotatable, and gone with the extension", async () => {
    const extension = await createExtension(db, { number: "101", name: "Reception", ownerUserId: null, enabled: true });
    expect(await sipCredentialStatus(db, extension.id)).toMatchObject({ sipUser: "101", hasPassword: false, passwordSetAt: null });
    expect(sipPasswordFor(db, "101")).toBeNull();

    const first = await generateSipPassword(db, extension.id);
    expect(first).toMatchObject({ sipUser: "101" });
    expect(first.password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const stored = (await db.select().from(sipCredentials).where(eq(sipCredentials.extensionId, extension.id)).limit(1))[0]!;
    expect(stored.sealedPassword).not.toContain(first.password);
    expect(sipPasswordFor(db, "101")).toBe(first.password);
    expect((await sipCredentialStatus(db, extension.id)).hasPassword).toBe(true);

    const second = await generateSipPassword(db, extension.id);
    expect(second.password).not.toBe(first.password);
    expect(sipPasswordFor(db, "101")).toBe(second.password);

    await updateExtension(db, extension.id, { number: "101", name: "Reception", ownerUserId: null, enabled: false });
    expect(sipPasswordFor(db, "101")).toBeNull();
    await deleteExtension(db, extension.id);
    expect((await db.select().from(sipCredentials))).toHaveLength(0);
  });

  it("are rotated by admins only over tRPC, and the status never carries the password", async () => {
    const extension = await createExtension(db, { number: "102", name: "Sales", ownerUserId: null, enabled: true });
    expect(await trpcCode(callerAs(db, "user").extensions.rotateSipPassword({ id: extension.id }))).toBe("FORBIDDEN");
    const generated = await callerAs(db, "admin").extensions.rotateSipPassword({ id: extension.id });
    expect(sipPasswordFor(db, "102")).toBe(generated.password);
    const status = await callerAs(db, "admin").extensions.sipCredentials({ id: extension.id });
    expect(status).toMatchObject({ sipUser: "102", hasPassword: true });
    expect(JSON.stringify(status)).not.toContain(generated.password);
    expect(await trpcCode(callerAs(db, "admin").extensions.rotateSipPassword({ id: "ext_missing" }))).toBe("NOT_FOUND");
  });
});
