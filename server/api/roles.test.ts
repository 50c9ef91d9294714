import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDb } from "@/tests/helpers/db";
import type { Db } from "../db/client";
import type { SessionUser } from "../auth/options";
import { listPhoneNumbers } from "../services/phoneNumbers";
import { callerAs, trpcCode } from "@/tests/helpers/trpc";

let db: Db;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ db, cleanup } = await createTestDb()));
afterEach(() => cleanup());

const asUser = (role: SessionUser["role"] | null) => callerAs(db, role);

describe("server-side roles", () => {
  it("refuses configuration changes to plain users and reads to anonymous callers", async () => {
    expect(await trpcCode(asUser("user").phoneNumbers.create({ number: "+3612223333", label: "", flowId: null }))).toBe("FORBIDDEN");
    expect(await trpcCode(asUser("user").users.list())).toBe("FORBIDDEN");
    expect(await trpcCode(asUser("user").extensions.create({ number: "500", name: "x", ownerUserId: null, enabled: true }))).toBe("FORBIDDEN");
    expect(await trpcCode(asUser(null).extensions.list())).toBe("UNAUTHORIZED");
    expect(await listPhoneNumbers(db)).toHaveLength(0);
  });

  it("lets users read extensions and admins change them; conflicts come back as CONFLICT", async () => {
    await asUser("admin").extensions.create({ number: "500", name: "x", ownerUserId: null, enabled: true });
    expect((await asUser("user").extensions.list()).map((e) => e.number)).toEqual(["500"]);
    expect(await trpcCode(asUser("admin").extensions.create({ number: "500", name: "y", ownerUserId: null, enabled: true }))).toBe("CONFLICT");
  });

  it("shows the CRM hooks' health on the overview to admins only", async () => {
    expect(await trpcCode(asUser("user").overview.hooks())).toBe("FORBIDDEN");
    expect(await trpcCode(asUser(null).overview.hooks())).toBe("UNAUTHORIZED");
    expect(await asUser("admin").overview.hooks()).toEqual([]);
  });

  it("rejects unknown fields in input", async () => {
    const input = { number: "501", name: "x", ownerUserId: null, enabled: true, sneaky: 1 } as never;
    expect(await trpcCode(asUser("admin").extensions.create(input))).toBe("BAD_REQUEST");
  });
});
