import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TRPCError } from "@trpc/server";
import { createTestDb } from "@/tests/helpers/db";
import type { Db } from "../../db/client";
import type { SessionUser } from "../../auth/options";
import { getInstallationSettings } from "../../services/settings";
import { callerAs, trpcCode } from "@/tests/helpers/trpc";

let db: Db;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ db, cleanup } = await createTestDb()));
afterEach(() => cleanup());

const asUser = (role: SessionUser["role"] | null) => callerAs(db, role);

const input = { organisationName: "Példa Kft.", defaultLocale: "hu" as const, deliveryRetentionDays: 14, publicUrl: "https://pbx.example.com" };

describe("settings procedures", () => {
  it("are for admins only: plain users are refused, anonymous callers unauthorised, nothing changes", async () => {
    expect(await trpcCode(asUser("user").settings.get())).toBe("FORBIDDEN");
    expect(await trpcCode(asUser("user").settings.update(input))).toBe("FORBIDDEN");
    expect(await trpcCode(asUser(null).settings.update(input))).toBe("UNAUTHORIZED");
    expect((await getInstallationSettings(db)).deliveryRetentionDays).toBe(30);
  });

  it("let an admin read and change them; bad input comes back as BAD_REQUEST with the field", async () => {
    expect(await asUser("admin").settings.update(input)).toEqual(input);
    expect(await asUser("admin").settings.get()).toEqual(input);
    const error = await asUser("admin").settings.update({ ...input, deliveryRetentionDays: 400 }).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCError);
    expect((error as TRPCError).code).toBe("BAD_REQUEST");
    expect(await trpcCode(asUser("admin").settings.update({ ...input, extra: 1 } as never))).toBe("BAD_REQUEST");
    expect((await asUser("admin").settings.get()).deliveryRetentionDays).toBe(14);
  });
});
