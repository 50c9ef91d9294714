import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { ManualClock } from "@/flows/runtime/testing/manualClock";
import { createTestDb } from "@/tests/helpers/db";
import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { technicalUsers } from "../db/schema";
import { verifySecret } from "../auth/passwords";
import { createTechnicalUser, listTechnicalUsers, revokeTechnicalUser, rotateTechnicalUserSecret, updateTechnicalUser } from "./technicalUsers";
import { ServiceError } from "./errors";

let db: Db;
let cleanup: () => Promise<void>;
const clock = new ManualClock(Date.now());

beforeEach(async () => ({ db, cleanup } = await createTestDb()));
afterEach(() => cleanup());

const hashes = async (id: string) => {
  const [row] = await db
    .select({ current: technicalUsers.secretHash, previous: technicalUsers.previousSecretHash, until: technicalUsers.previousSecretExpiresAt })
    .from(technicalUsers)
    .where(eq(technicalUsers.id, id));
  return row!;
};

describe("technical users", () => {
  it("stores only an argon2id hash of the secret it shows once", async () => {
    const { technicalUser, clientSecret } = await createTechnicalUser(db, { name: "MiniCRM", scopes: ["recordings:read"], ipAllowlist: ["203.0.113.0/24"] });
    expect(technicalUser).toMatchObject({ name: "MiniCRM", scopes: ["recordings:read"], ipAllowlist: ["203.0.113.0/24"], lastUsedAt: null });
    expect((await hashes(technicalUser.id)).current).toMatch(/^\$argon2id\$/);
    expect(await verifySecret((await hashes(technicalUser.id)).current, clientSecret)).toBe(true);
    expect(JSON.stringify(await listTechnicalUsers(db))).not.toContain(clientSecret);
  });

  it("rotation: the old secret keeps working for the chosen grace period, the new one at once", async () => {
    const { technicalUser, clientSecret: oldSecret } = await createTechnicalUser(db, { name: "CRM" });
    const { clientSecret: newSecret, technicalUser: rotated } = await rotateTechnicalUserSecret(db, { id: technicalUser.id, graceHours: 2 }, clock);
    const stored = await hashes(technicalUser.id);
    expect(await verifySecret(stored.current, newSecret)).toBe(true);
    expect(await verifySecret(stored.previous ?? "", oldSecret)).toBe(true);
    expect(Date.parse(stored.until ?? "")).toBe(clock.now() + 2 * 3_600_000);
    expect(rotated.previousSecretExpiresAt).toBe(stored.until);

    await rotateTechnicalUserSecret(db, { id: technicalUser.id, graceHours: 0 }, clock);
    expect((await hashes(technicalUser.id))).toMatchObject({ previous: null, until: null });
  });

  it("revocation ends both secrets and blocks further changes", async () => {
    const { technicalUser } = await createTechnicalUser(db, { name: "CRM" });
    await rotateTechnicalUserSecret(db, { id: technicalUser.id }, clock);
    expect((await revokeTechnicalUser(db, technicalUser.id, clock)).revokedAt).toBe(new Date(clock.now()).toISOString());
    expect((await hashes(technicalUser.id)).previous).toBeNull();
    await expect(rotateTechnicalUserSecret(db, { id: technicalUser.id }, clock)).rejects.toThrow(ServiceError);
  });

  it("validates the IP allow-list and scopes", async () => {
    const { technicalUser } = await createTechnicalUser(db, { name: "CRM" });
    await expect(updateTechnicalUser(db, technicalUser.id, { name: "CRM", scopes: ["cdrs:read"], ipAllowlist: ["10.0.0.0/33"] })).rejects.toThrow(ZodError);
    await expect(updateTechnicalUser(db, technicalUser.id, { name: "CRM", scopes: [], ipAllowlist: [] })).rejects.toThrow(ZodError);
    expect(await updateTechnicalUser(db, technicalUser.id, { name: "CRM", scopes: ["cdrs:read"], ipAllowlist: ["2001:db8::/32", "198.51.100.7"] })).toMatchObject({
      scopes: ["cdrs:read"],
      ipAllowlist: ["2001:db8::/32", "198.51.100.7"],
    });
  });
});
