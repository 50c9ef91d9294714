import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createSipEdgeTestDb } from "@/tests/helpers/sipEdge";
import { callerAs, trpcCode } from "@/tests/helpers/trpc";
import type { Db } from "../db/client";
import { sipCredentials } from "../db/schema";
import { createExtension, deleteExtension, updateExtension } from "./extensions";
import { generateSipPassword, sipCredentialStatus } from "./sipCredentials";
import type { SipEdgeData } from "../runtime/sipEdgeData";

let db: Db;
let cleanup: () => Promise<void>;
/** What the registrar asks: read per REGISTER on SQLite, an in-memory copy reloaded on the notification on PostgreSQL. */
let edge: SipEdgeData;
beforeEach(async () => ({ db, edge, cleanup } = await createSipEdgeTestDb()));
afterEach(() => cleanup());

/** Waits until the registrar's answer for `number` is `expected` (at once on SQLite; after the reload on PostgreSQL). */
async function registrarSees(number: string, expected: string | null): Promise<void> {
  await vi.waitFor(() => expect(edge.sipPassword(number)).toBe(expected));
}

describe("SIP passwords", () => {
  it("are generated server-side, stored sealed, readable by the registrar, rotatable, and gone with the extension", async () => {
    const extension = await createExtension(db, { number: "101", name: "Reception", ownerUserId: null, enabled: true });
    expect(await sipCredentialStatus(db, extension.id)).toMatchObject({ sipUser: "101", hasPassword: false, passwordSetAt: null });
    await registrarSees("101", null);

    const first = await generateSipPassword(db, extension.id);
    expect(first).toMatchObject({ sipUser: "101" });
    expect(first.password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const stored = (await db.select().from(sipCredentials).where(eq(sipCredentials.extensionId, extension.id)).limit(1))[0]!;
    expect(stored.sealedPassword).not.toContain(first.password);
    await registrarSees("101", first.password);
    expect((await sipCredentialStatus(db, extension.id)).hasPassword).toBe(true);

    const second = await generateSipPassword(db, extension.id);
    expect(second.password).not.toBe(first.password);
    await registrarSees("101", second.password);

    await updateExtension(db, extension.id, { number: "101", name: "Reception", ownerUserId: null, enabled: false });
    await registrarSees("101", null);
    await deleteExtension(db, extension.id);
    expect((await db.select().from(sipCredentials))).toHaveLength(0);
  });

  it("are rotated by admins only over tRPC, and the status never carries the password", async () => {
    const extension = await createExtension(db, { number: "102", name: "Sales", ownerUserId: null, enabled: true });
    expect(await trpcCode(callerAs(db, "user").extensions.rotateSipPassword({ id: extension.id }))).toBe("FORBIDDEN");
    const generated = await callerAs(db, "admin").extensions.rotateSipPassword({ id: extension.id });
    await registrarSees("102", generated.password);
    const status = await callerAs(db, "admin").extensions.sipCredentials({ id: extension.id });
    expect(status).toMatchObject({ sipUser: "102", hasPassword: true });
    expect(JSON.stringify(status)).not.toContain(generated.password);
    expect(await trpcCode(callerAs(db, "admin").extensions.rotateSipPassword({ id: "ext_missing" }))).toBe("NOT_FOUND");
  });
});
