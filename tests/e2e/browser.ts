import { chromium, type Browser, type Page } from "playwright-core";
import path from "node:path";
import fs from "node:fs";

/** Debian's Chromium, headless, with the flags a root sandbox without network needs. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
}

/** Screenshots land in test-results/ so a person can look at what the tests saw. */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = path.resolve(__dirname, "../../test-results/screenshots");
  fs.mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}

/**
 * Switches the signed-in user's language with the top bar's selector (the editor's, when it covers the portal) and
 * waits for the page to follow. Waits without expect.poll, so afterAll hooks can use it too.
 */
export async function setLanguage(page: Page, locale: "en" | "hu"): Promise<void> {
  if ((await page.evaluate(() => document.documentElement.lang)) === locale) return;
  await page.getByRole("combobox", { name: /^(Language|Nyelv)$/ }).last().selectOption(locale);
  await page.waitForFunction((wanted) => document.documentElement.lang === wanted, locale, { timeout: 15_000 });
}

/** The shared admin of the browser tests' server. */
export const e2eAdmin = { email: "admin@example.com", password: "correct horse battery" };

/** Works on a fresh server (creates the first admin) and after other test files (signs in). */
export async function signInAsAdmin(page: Page, baseUrl: string): Promise<void> {
  await page.goto(baseUrl);
  const pathname = new URL(page.url()).pathname;
  if (pathname === "/setup") {
    await page.getByLabel("Organisation name").fill("Példa Kft.");
    await page.getByLabel("Last name").fill("Admin");
    await page.getByLabel("First name").fill("Ilona");
    await page.getByLabel("E-mail address").fill(e2eAdmin.email);
    await page.getByLabel("Password").fill(e2eAdmin.password);
    await page.getByRole("button", { name: "Create administrator and continue" }).click();
  } else if (pathname === "/login") {
    await page.getByLabel(/E-mail/).fill(e2eAdmin.email);
    await page.getByLabel(/Password|Jelszó/).fill(e2eAdmin.password);
    await page.getByRole("button", { name: /Sign in|Bejelentkezés/ }).click();
  }
  await page.waitForURL(`${baseUrl}/`);
}

/** How many `calls.live` queries the page sends from now on (the live calls list's fallback poll; tRPC batches them by name in the URL). */
export function countLiveCallsQueries(page: Page): () => number {
  let count = 0;
  page.on("request", (request) => {
    if (new URL(request.url()).pathname.startsWith("/api/trpc/") && request.url().includes("calls.live")) count++;
  });
  return () => count;
}
