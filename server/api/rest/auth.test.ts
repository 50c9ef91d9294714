import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { eq } from "drizzle-orm";
import { technicalUsers } from "@/server/db/schema";
import { hashSecret, verifySecret } from "@/server/auth/passwords";
import { basicAuth, callApi, setupApiTest, type ApiTestContext } from "./testing/harness";
import { issueToken } from "./operations/auth";
import { listUsers } from "./operations/users";
import { issueAccessToken } from "./tokens";
import { PEER_ADDRESS_HEADER } from "./clientIp";
import { resetAuthCachesForTests } from "./auth";

// Counts argon2 verifications; each still runs the real one.
vi.mock("@/server/auth/passwords", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/server/auth/passwords")>();
  return { ...actual, verifySecret: vi.fn(actual.verifySecret) };
});

let ctx: ApiTestContext;
beforeEach(async () => {
  ctx = await setupApiTest({ demo: true });
});
afterEach(() => ctx.cleanup());

async function token(auth = ctx.auth): Promise<string> {
  const result = await callApi(ctx, issueToken, { auth, body: { grant_type: "client_credentials" } });
  expect(result.status).toBe(200);
  return result.body.access_token;
}

const revoke = async (id: string) => await ctx.db.update(technicalUsers).set({ revokedAt: new Date().toISOString() }).where(eq(technicalUsers.id, id));

describe("authentication", () => {
  it("accepts Basic client credentials and a Bearer token from POST /auth/token", async () => {
    expect((await callApi(ctx, listUsers)).status).toBe(200);
    const issued = await callApi(ctx, issueToken, { body: { grant_type: "client_credentials" } });
    expect(issued.body).toMatchObject({ token_type: "Bearer", expires_in: 3600 });
    const viaToken = await callApi(ctx, listUsers, { auth: `Bearer ${issued.body.access_token}` });
    expect(viaToken.status).toBe(200);
    expect(viaToken.body.total).toBe(5);
  });

  it.each([
    ["no credentials", null],
    ["an unknown scheme", "Digest abc"],
    ["garbage Basic", "Basic !!!"],
    ["Basic without a colon", `Basic ${Buffer.from("just-an-id").toString("base64")}`],
    ["a forged token", "Bearer sbat_eyJzdWIiOiJ4In0.AAAA"],
  ])("refuses %s with 401 problem+json and a WWW-Authenticate challenge", async (_, auth) => {
    const result = await callApi(ctx, listUsers, { auth });
    expect(result.status).toBe(401);
    expect(result.headers.get("www-authenticate")).toContain("Basic");
  });

  it("refuses a wrong secret and an unknown client id", async () => {
    expect((await callApi(ctx, listUsers, { auth: basicAuth(ctx.clientId, "wrong") })).status).toBe(401);
    expect((await callApi(ctx, listUsers, { auth: basicAuth("sb_nobody", ctx.clientSecret) })).status).toBe(401);
  });

  it("refuses a revoked technical user's credentials and its still-unexpired tokens at once", async () => {
    const access = await token();
    expect((await callApi(ctx, listUsers)).status).toBe(200); // the verified secret is cached now
    (await revoke(ctx.technicalUserId));
    expect((await callApi(ctx, listUsers)).status).toBe(401);
    expect((await callApi(ctx, listUsers, { auth: `Bearer ${access}` })).status).toBe(401);
    expect((await callApi(ctx, issueToken, { body: { grant_type: "client_credentials" } })).status).toBe(401);
  });

  it("refuses an expired token", async () => {
    const { token: old } = issueAccessToken(ctx.technicalUserId, Date.now() - 3601_000);
    const result = await callApi(ctx, listUsers, { auth: `Bearer ${old}` });
    expect(result.status).toBe(401);
    expect(result.body.detail).toMatch(/expired/);
  });

  it("the token endpoint takes client credentials only, and a well-formed body", async () => {
    const access = await token();
    expect((await callApi(ctx, issueToken, { auth: `Bearer ${access}`, body: { grant_type: "client_credentials" } })).status).toBe(401);
    const wrongGrant = await callApi(ctx, issueToken, { body: { grant_type: "password" } });
    expect(wrongGrant.status).toBe(400);
    expect(wrongGrant.body.errors).toEqual([{ path: "grant_type", field: "grant_type", code: "invalid_value", message: 'grant_type must be "client_credentials"' }]);
  });

  it("answers 403 when the technical user lacks the operation's scope", async () => {
    const limited = await ctx.technicalUser({ scopes: ["calls:read"] });
    const result = await callApi(ctx, listUsers, { auth: limited.auth });
    expect(result.status).toBe(403);
    expect(result.body.detail).toContain("users:read");
  });

  it("honours the IP allowlist against the peer address; X-Forwarded-For is not trusted by default", async () => {
    const office = await ctx.technicalUser({ ipAllowlist: ["203.0.113.0/24", "2001:db8::1"] });
    const from = (peer: string | null, extra: Record<string, string> = {}) =>
      callApi(ctx, listUsers, { auth: office.auth, headers: { ...(peer ? { [PEER_ADDRESS_HEADER]: peer } : {}), ...extra } });
    expect((await from("203.0.113.9")).status).toBe(200);
    expect((await from("::ffff:203.0.113.9")).status).toBe(200);
    expect((await from("2001:db8::1")).status).toBe(200);
    expect((await from("198.51.100.1")).status).toBe(403);
    expect((await from(null)).status).toBe(403);
    expect((await from("198.51.100.1", { "x-forwarded-for": "203.0.113.9" })).status).toBe(403);
  });

  it("accepts the previous secret during its rotation grace period, and not after", async () => {
    const rotated = await ctx.technicalUser();
    const newSecret = "the-new-secret-after-rotation";
    const grace = async (until: Date) =>
      ctx.db
        .update(technicalUsers)
        .set({ previousSecretHash: (await rowOf(rotated.id)).secretHash, previousSecretExpiresAt: until.toISOString() })
        .where(eq(technicalUsers.id, rotated.id));
    await grace(new Date(Date.now() + 3600_000));
    await ctx.db.update(technicalUsers).set({ secretHash: await hashSecret(newSecret) }).where(eq(technicalUsers.id, rotated.id));

    expect((await callApi(ctx, listUsers, { auth: rotated.auth })).status).toBe(200);
    expect((await callApi(ctx, listUsers, { auth: basicAuth(rotated.clientId, newSecret) })).status).toBe(200);
    await grace(new Date(Date.now() - 1000));
    expect((await callApi(ctx, listUsers, { auth: rotated.auth })).status).toBe(401);
    expect((await callApi(ctx, listUsers, { auth: basicAuth(rotated.clientId, newSecret) })).status).toBe(200);
  });

  it("verifies a client's secret once for all its concurrent requests, also when the memo has expired", async () => {
    resetAuthCachesForTests();
    vi.mocked(verifySecret).mockClear();
    const results = await Promise.all(Array.from({ length: 20 }, () => callApi(ctx, listUsers)));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(verifySecret).toHaveBeenCalledTimes(1);
    // Concurrent wrong secrets share one failed verification too, and are not remembered.
    const wrong = await Promise.all(Array.from({ length: 5 }, () => callApi(ctx, listUsers, { auth: basicAuth(ctx.clientId, "wrong") })));
    expect(wrong.map((r) => r.status)).toEqual(Array(5).fill(401));
    expect(verifySecret).toHaveBeenCalledTimes(2);
    expect((await callApi(ctx, listUsers, { auth: basicAuth(ctx.clientId, "wrong") })).status).toBe(401);
    expect(verifySecret).toHaveBeenCalledTimes(3);
  });

  it("records last_used_at", async () => {
    expect((await rowOf(ctx.technicalUserId)).lastUsedAt).toBeNull();
    await callApi(ctx, listUsers);
    expect((await rowOf(ctx.technicalUserId)).lastUsedAt).not.toBeNull();
  });
});

describe("rate limit", () => {
  it("answers 429 with Retry-After once a technical user's bucket is empty", async () => {
    await ctx.cleanup();
    ctx = await setupApiTest({ settings: { API_RATE_LIMIT_PER_S: 1, API_RATE_LIMIT_BURST: 3 } });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await callApi(ctx, listUsers)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await callApi(ctx, listUsers);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    // Another technical user has its own bucket.
    const other = await ctx.technicalUser();
    expect((await callApi(ctx, listUsers, { auth: other.auth })).status).toBe(200);
  });
});

async function rowOf(id: string) {
  return (await ctx.db.select().from(technicalUsers).where(eq(technicalUsers.id, id)).limit(1))[0]!;
}
