/**
 * What several processes share on PostgreSQL, black-box (issue #12): the
 * production build on DATABASE_URL, and this test process standing for a
 * second process on the same database — it drains a technical user's API
 * bucket, fails sign-ins, and changes an agent's state as a runtime process
 * would. The server must see each: 429 with Retry-After, a throttled
 * sign-in, and the agent board in Chromium updating live (LISTEN/NOTIFY).
 * Skipped without TEST_DATABASE_URL (.ci/run starts a cluster and sets it).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import type { Db } from "@/server/db/client";
import { PgTokenBuckets } from "@/server/api/rest/rateLimit";
import { LoginThrottle } from "@/server/auth/throttle";
import { createTechnicalUser } from "@/server/services/technicalUsers";
import { createTestPostgres, testDatabaseUrl } from "../helpers/postgres";
import { e2eAdmin, launchBrowser, screenshot, signInAsAdmin } from "./browser";
import { basicOf } from "./rest";
import { startServer, type RunningServer } from "./server";

if (!testDatabaseUrl) console.warn("tests/e2e/pgShared.e2e.ts skipped: set TEST_DATABASE_URL (eval \"$(scripts/pg-cluster.sh start)\")");

/** A slow refill, so a drained bucket stays empty for the test's length. */
const rate = { perS: 0.01, burst: 3 };

describe.skipIf(!testDatabaseUrl)("state shared by processes on PostgreSQL", () => {
  let database: Awaited<ReturnType<typeof createTestPostgres>>;
  let dataDir: string;
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  /** The other process's view of the database. */
  const otherProcess = () => database.db as unknown as Db;

  beforeAll(async () => {
    database = await createTestPostgres(testDatabaseUrl!);
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-pg-shared-e2e-"));
    server = await startServer(dataDir, { DATABASE_URL: database.url, API_RATE_LIMIT_PER_S: String(rate.perS), API_RATE_LIMIT_BURST: String(rate.burst) });
    browser = await launchBrowser();
    page = await browser.newPage();
    await signInAsAdmin(page, server.baseUrl);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    await database?.drop();
  });

  it("a technical user's bucket drained by another process is empty for this one: 429 with Retry-After", async () => {
    const { technicalUser, clientSecret } = await createTechnicalUser(otherProcess(), { name: "Shared bucket", scopes: ["users:read"] });
    const users = () => fetch(`${server!.baseUrl}/api/v1/users`, { headers: { authorization: basicOf({ client_id: technicalUser.clientId, client_secret: clientSecret }) } });
    expect((await users()).status).toBe(200);
    const elsewhere = new PgTokenBuckets(database.db.$client, rate.perS, rate.burst);
    expect([await elsewhere.take(technicalUser.id), await elsewhere.take(technicalUser.id)]).toEqual([0, 0]);
    const limited = await users();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
  });

  it("the agent board follows a state change another process commits, without a reload", async () => {
    await page.goto(`${server!.baseUrl}/call-centre`);
    const row = page.locator("tr[data-agent]").first();
    await expect.poll(() => page.getByRole("status").filter({ hasText: /^Live$/ }).count(), { timeout: 15_000 }).toBe(1);
    const agentName = await row.getAttribute("data-agent");
    const [{ id: agentId }] = (await database.db.$client.query<{ id: string }>(
      `select a.id from agents a join users u on u.id = a.user_id where trim(u.first_name || ' ' || u.last_name) = $1`,
      [agentName],
    )).rows;
    await database.db.$client.query(`insert into agent_state_history (agent_id, status, pause_reason, at) values ($1, 'paused', 'lunch', $2)`, [agentId, new Date().toISOString()]);
    await expect.poll(() => page.locator(`tr[data-agent="${agentName}"]`).textContent(), { timeout: 10_000 }).toMatch(/Paused/);
    await screenshot(page, "pg-shared-agent-board");
  });

  it("sign-in failures counted by another process throttle this one", async () => {
    const throttle = new LoginThrottle(5, 15 * 60_000);
    for (let i = 0; i < 5; i++) await throttle.recordFailure(otherProcess(), `account:${e2eAdmin.email}`);
    const fresh = await browser!.newPage();
    await fresh.goto(`${server!.baseUrl}/login`);
    await fresh.getByLabel(/E-mail/).fill(e2eAdmin.email);
    await fresh.getByLabel(/Password|Jelszó/).fill(e2eAdmin.password);
    await fresh.getByRole("button", { name: /Sign in|Bejelentkezés/ }).click();
    await expect.poll(() => fresh.getByText("Too many failed attempts").count(), { timeout: 10_000 }).toBe(1);
    await fresh.close();
  });
});
