import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDb } from "@/tests/helpers/db";
import type { Db } from "../../db/client";
import type { SessionUser } from "../../auth/options";
import { setTestAppSecret } from "../../integration/testing/harness";
import { callerAs, trpcCode } from "@/tests/helpers/trpc";

let db: Db;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  setTestAppSecret();
  ({ db, cleanup } = await createTestDb());
});
afterEach(() => cleanup());

const as = (role: SessionUser["role"] | null) => callerAs(db, role).integration;

const endOfCall = { kind: "end_of_call" as const, name: "CRM", url: "https://crm.example.com/hook" };

describe("integration router", () => {
  it("is for admins only: users get FORBIDDEN, anonymous callers UNAUTHORIZED, and nothing changes", async () => {
    const user = as("user");
    for (const attempt of [
      user.technicalUsers.list(),
      user.technicalUsers.create({ name: "x" }),
      user.outboundApis.list(),
      user.outboundApis.create(endOfCall),
      user.outboundApis.test({ id: "oapi_x" }),
      user.deliveries.list({}),
      user.deliveries.resend({ id: "dlv_x" }),
    ]) {
      expect(await trpcCode(attempt)).toBe("FORBIDDEN");
    }
    expect(await trpcCode(as(null).outboundApis.list())).toBe("UNAUTHORIZED");
    expect(await as("admin").outboundApis.list()).toEqual([]);
    expect(await as("admin").technicalUsers.list()).toEqual([]);
  });

  it("shows secrets only in the create and rotate responses", async () => {
    const admin = as("admin");
    const created = await admin.outboundApis.create({ ...endOfCall, auth: { type: "bearer", token: "crm-bearer-token" } });
    expect(created.signingSecret).toMatch(/^whsec_/);
    const listed = JSON.stringify(await admin.outboundApis.list());
    expect(listed).not.toContain(created.signingSecret);
    expect(listed).not.toContain("crm-bearer-token");
    const rotated = await admin.outboundApis.rotateSigningSecret({ id: created.outboundApi.id });
    expect(rotated.signingSecret).not.toBe(created.signingSecret);
    expect((await admin.outboundApis.get({ id: created.outboundApi.id })).previous_signing_secret_expires_at).not.toBeNull();
  });

  it("maps bad input to BAD_REQUEST and a missing delivery to NOT_FOUND", async () => {
    const admin = as("admin");
    expect(await trpcCode(admin.outboundApis.create({ ...endOfCall, url: "gopher://x" }))).toBe("BAD_REQUEST");
    expect(await trpcCode(admin.outboundApis.create({ ...endOfCall, auth: { type: "basic", username: "u" } }))).toBe("BAD_REQUEST");
    expect(await trpcCode(admin.deliveries.resend({ id: "dlv_missing" }))).toBe("NOT_FOUND");
  });
});
