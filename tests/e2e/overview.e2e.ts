/**
 * The home page's overview on the production build: a call placed while the
 * page is open shows up without a reload, and a CRM hook pointing at a closed
 * port shows a red line whose link opens that hook's failed deliveries.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchBrowser, screenshot, setLanguage, signInAsAdmin } from "./browser";
import { freePort } from "./server";

const baseUrl = inject("baseUrl");
const dataDir = inject("dataDir");
const root = path.resolve(__dirname, "../..");
const slow = { timeout: 20_000 };
const DEMO_DID = "+3612345678";
const HOOK_NAME = "E2E overview closed port";

let browser: Browser;
let context: BrowserContext;
let page: Page;
let basic: string;
let hookId: string | null = null;

function createTechnicalUser(): string {
  const cli = spawnSync(process.execPath, ["--import", "tsx", "server/cli/index.ts", "technical-user", "create", "--name", "E2E overview"], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: "silent" },
    encoding: "utf8",
  });
  expect(cli.status, cli.stderr).toBe(0);
  const credentials = JSON.parse(cli.stdout.slice(cli.stdout.indexOf("{"))) as { client_id: string; client_secret: string };
  return `Basic ${Buffer.from(`${credentials.client_id}:${credentials.client_secret}`).toString("base64")}`;
}

async function api(pathname: string, init: { method?: string; body?: unknown } = {}): Promise<{ status: number; body: Record<string, unknown> | null }> {
  const response = await fetch(`${baseUrl}/api/v1${pathname}`, {
    method: init.method ?? "GET",
    headers: { authorization: basic, ...(init.body === undefined ? {} : { "content-type": "application/json" }) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** Rings the demo number from `from` and hangs up a moment later: one finished call with a final CDR. */
async function placeCall(from: string): Promise<string> {
  const started = await api("/simulator/calls", { method: "POST", body: { from, to: DEMO_DID } });
  expect(started.status, JSON.stringify(started.body)).toBeLessThan(300);
  const callId = started.body!.call_id as string;
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect([204, 404, 409]).toContain((await api(`/simulator/calls/${callId}/hangup`, { method: "POST" })).status);
  return callId;
}

const totalOf = async (testId: string) => Number(await page.getByTestId(testId).locator("div.text-3xl").textContent());

beforeAll(async () => {
  basic = createTechnicalUser();
  browser = await launchBrowser();
  // A zone other than the machine's UTC: the page counts "today" and its hours in the browser's zone.
  context = await browser.newContext({ locale: "en-US", timezoneId: "Europe/Budapest", viewport: { width: 1366, height: 860 } });
  page = await context.newPage();
  await signInAsAdmin(page, baseUrl);
  await setLanguage(page, "en");
});

afterAll(async () => {
  // The browser tests share one server: later files should not meet a failing hook.
  if (hookId) await api(`/outbound-apis/${hookId}`, { method: "DELETE" });
  await browser?.close();
});

describe("overview", () => {
  it("shows a call placed after the page was opened, without a reload", async () => {
    await page.goto(baseUrl);
    await expect.poll(() => page.getByTestId("calls-today").locator("div.text-3xl").textContent(), slow).toMatch(/^\d+$/);
    const before = { today: await totalOf("calls-today"), lastHour: await totalOf("calls-last-hour") };
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));

    const callId = await placeCall("+36301119988");
    const row = page.getByRole("table", { name: "Newest calls" }).locator(`tr[data-call="${callId}"]`);
    await expect.poll(() => row.count(), slow).toBe(1);
    expect(await row.getByText("+36 30 111 9988").count()).toBe(1);
    await expect.poll(() => totalOf("calls-today"), slow).toBe(before.today + 1);
    expect(await totalOf("calls-last-hour")).toBe(before.lastHour + 1);
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    // The chart has a bar segment for today's calls, and says which time zone its hours are in.
    expect(await page.getByRole("img", { name: "Calls today by hour, answered and missed" }).locator(".recharts-bar-rectangle").count()).toBeGreaterThan(0);
    expect(await page.getByText("in your browser's time zone (Europe/Budapest)").count()).toBe(1);
  });

  it("draws a red line for a hook whose CRM port is closed, linking to its failed deliveries", async () => {
    const closedUrl = `http://127.0.0.1:${await freePort()}/crm`;
    const created = await api("/outbound-apis", {
      method: "POST",
      body: { kind: "end_of_call", name: HOOK_NAME, url: closedUrl, apply_to: "all_calls", retry: { count: 5, intervals_s: [600] } },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    hookId = created.body!.id as string;

    await page.goto(baseUrl);
    const hook = page.locator(`li[data-hook="${HOOK_NAME}"]`);
    await expect.poll(() => hook.getByText("Working").count(), slow).toBe(1);
    await expect.poll(() => hook.getByRole("alert").count()).toBe(0);

    await placeCall("+36301119977");
    const alert = hook.getByRole("alert");
    await expect.poll(() => alert.count(), slow).toBe(1);
    expect(await alert.textContent()).toMatch(new RegExp(`${HOOK_NAME} has been failing since .+: The CRM refused the connection`));
    expect(await hook.getByText("Failing", { exact: true }).count()).toBe(1);
    await screenshot(page, "overview-en");

    await alert.getByRole("link", { name: "Open its delivery log" }).click();
    await page.waitForURL(/\/api-access\?/);
    const url = new URL(page.url());
    expect(Object.fromEntries(url.searchParams)).toEqual({ tab: "log", api: hookId, status: "pending" });
    await expect.poll(() => page.getByLabel("Outbound API", { exact: true }).inputValue(), slow).toBe(hookId);
    expect(await page.getByLabel("Status", { exact: true }).inputValue()).toBe("pending");
    // Every delivery shown is this hook's, waiting for its next retry after a refused connection.
    const rows = page.locator("tbody tr.align-top");
    const refused = rows.filter({ hasText: HOOK_NAME }).filter({ hasText: "The CRM refused the connection" });
    await expect.poll(() => refused.count(), slow).toBeGreaterThan(0);
    expect(await rows.count()).toBe(await refused.count());
    await screenshot(page, "overview-delivery-log-en");
  });

  it("stacks on a phone without running off the screen, and speaks Hungarian", async () => {
    await page.goto(baseUrl);
    await setLanguage(page, "hu");
    try {
      await expect.poll(() => page.getByRole("heading", { name: "Legutóbbi hívások" }).count(), slow).toBe(1);
      await expect.poll(() => page.locator(`li[data-hook="${HOOK_NAME}"]`).getByRole("alert").textContent(), slow).toMatch(/óta hibás/);
      await screenshot(page, "overview-hu");
      await page.setViewportSize({ width: 390, height: 844 });
      await expect.poll(() => page.getByTestId("calls-today").isVisible(), slow).toBe(true);
      // The chart follows its card's width a frame after the resize (ResizeObserver), so poll rather than measure once.
      await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth), slow).toBeLessThanOrEqual(0);
      await screenshot(page, "overview-phone-hu");
    } finally {
      await page.setViewportSize({ width: 1366, height: 860 });
      await setLanguage(page, "en");
    }
  });
});
