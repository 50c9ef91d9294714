import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchBrowser, screenshot } from "./browser";
import { startServer, type RunningServer } from "./server";

// These tests start from an empty install (first-run page), so they get a server of their own.
let server: RunningServer;
let dataDir: string;
let baseUrl: string;
const admin = { email: "admin@example.com", password: "correct horse battery", firstName: "Ilona", lastName: "Admin" };
const plainUser = { email: "operator@example.com", password: "operator-password-1", firstName: "Oszkár", lastName: "Operátor" };

let browser: Browser;
let adminContext: BrowserContext;
let page: Page;

async function signIn(p: Page, email: string, password: string) {
  await p.goto(`${baseUrl}/login`);
  await p.getByLabel(/E-mail/).fill(email);
  await p.getByLabel(/Password|Jelszó/).fill(password);
  await p.getByRole("button", { name: /Sign in|Bejelentkezés/ }).click();
}

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-portal-e2e-"));
  server = await startServer(dataDir);
  baseUrl = server.baseUrl;
  browser = await launchBrowser();
  adminContext = await browser.newContext({ locale: "en-US", viewport: { width: 1280, height: 800 } });
  page = await adminContext.newPage();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe("first run and sign-in", () => {
  it("sends the first visitor to the first-run page and creates the first admin", async () => {
    await page.goto(baseUrl);
    expect(new URL(page.url()).pathname).toBe("/setup");
    await screenshot(page, "setup-en");
    // A too-short password is refused in the form, before anything is stored.
    await page.getByLabel("Organisation name").fill("Példa Kft.");
    await page.getByLabel("Last name").fill(admin.lastName);
    await page.getByLabel("First name").fill(admin.firstName);
    await page.getByLabel("E-mail address").fill(admin.email);
    await page.getByLabel("Password").fill("short");
    await page.getByRole("button", { name: "Create administrator and continue" }).click();
    await expect.poll(() => page.getByText("at least 10 characters long").count()).toBe(1);

    await page.getByLabel("Password").fill(admin.password);
    await page.getByRole("button", { name: "Create administrator and continue" }).click();
    await page.waitForURL(`${baseUrl}/`);
    await expect.poll(() => page.getByRole("heading", { name: `Welcome, ${admin.firstName} ${admin.lastName}` }).count()).toBe(1);
    await screenshot(page, "dashboard-en");
  });

  it("no longer offers the first-run page once an admin exists", async () => {
    const response = await fetch(`${baseUrl}/setup`, { redirect: "manual" });
    expect(response.status).toBe(307);
    expect(response.headers.get("location")).toContain("/login");
  });

  it("signs out, refuses a wrong password, and signs in again", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/login/);
    await signIn(page, admin.email, "not the password");
    await expect.poll(() => page.getByText("The e-mail address or password is not correct.").count()).toBe(1);
    expect(new URL(page.url()).pathname).toBe("/login");
    await screenshot(page, "login-error-en");

    await signIn(page, admin.email, admin.password);
    await page.waitForURL(`${baseUrl}/`);
    expect(await page.getByRole("navigation", { name: "Main navigation" }).getByRole("link").count()).toBe(10);
  });
});

describe("directory, in English", () => {
  it("creates an extension, refuses a duplicate number, and edits it", async () => {
    await page.goto(`${baseUrl}/extensions`);
    // The demo organisation is there on a new install.
    await expect.poll(() => page.getByRole("cell", { name: "101", exact: true }).count()).toBe(1);

    await page.getByRole("button", { name: "Add extension" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Extension number").fill("101");
    await dialog.getByLabel("Display name").fill("Reception");
    await dialog.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => dialog.getByText("already in use").count()).toBe(1);

    await dialog.getByLabel("Extension number").fill("106");
    await dialog.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => page.getByRole("cell", { name: "Reception" }).count()).toBe(1);

    await page.getByRole("button", { name: "Edit: 106" }).click();
    await dialog.getByLabel("Display name").fill("Front desk");
    await dialog.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => page.getByRole("cell", { name: "Front desk" }).count()).toBe(1);
    await screenshot(page, "extensions-en");
  });

  it("generates an extension's SIP password, shows it once, and rotates it", async () => {
    await page.getByRole("button", { name: "Edit: 106" }).click();
    const dialog = page.getByRole("dialog");
    await expect.poll(() => dialog.getByText("Not set: no phone can register yet.").count()).toBe(1);
    // This server runs simulated telephony: no address to register to, and the panel says what to set.
    await expect.poll(() => dialog.getByTestId("sip-server-simulated").textContent()).toContain("TELEPHONY=sip");
    await dialog.getByRole("button", { name: "Generate SIP password" }).click();
    const shown = dialog.getByTestId("sip-password");
    await expect.poll(() => shown.count()).toBe(1);
    const first = (await shown.textContent())!.trim();
    expect(first).toMatch(/^[A-Za-z0-9_-]{24}$/);
    await expect.poll(() => dialog.getByText(/^Set /).count()).toBe(1);
    await screenshot(page, "sip-password-en");

    await dialog.getByRole("button", { name: "Generate a new SIP password" }).click();
    await expect.poll(async () => (await shown.textContent())?.trim()).not.toBe(first);
    await dialog.getByRole("button", { name: "Cancel" }).click();
    // Shown once: opening the extension again shows that a password exists, never the password.
    await page.getByRole("button", { name: "Edit: 106" }).click();
    await expect.poll(() => dialog.getByText(/^Set /).count()).toBe(1);
    expect(await dialog.getByTestId("sip-password").count()).toBe(0);
    await dialog.getByRole("button", { name: "Cancel" }).click();
  });

  it("creates a user who can sign in", async () => {
    await page.goto(`${baseUrl}/extensions?tab=users`);
    await page.getByRole("button", { name: "Add user" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Last name").fill(plainUser.lastName);
    await dialog.getByLabel("First name").fill(plainUser.firstName);
    await dialog.getByLabel("E-mail address").fill(plainUser.email);
    await dialog.getByLabel("Password").fill(plainUser.password);
    await dialog.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => page.getByRole("cell", { name: plainUser.email }).count()).toBe(1);
  });
});

describe("directory, in Hungarian", () => {
  it("switches the language and manages a phone number in Hungarian", async () => {
    await page.goto(`${baseUrl}/numbers`);
    await page.getByLabel("Language").selectOption("hu");
    await expect.poll(() => page.getByRole("heading", { name: "Hívószámok" }).count()).toBe(1);

    await page.getByRole("button", { name: "Új hívószám" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Hívószám").fill("12345");
    await dialog.getByLabel("Megnevezés").fill("Ügyfélszolgálat");
    await dialog.getByRole("button", { name: "Mentés" }).click();
    await expect.poll(() => dialog.getByText("nem érvényes telefonszám").count()).toBe(1);

    await dialog.getByLabel("Hívószám").fill("06 1 999 8888");
    await dialog.getByRole("button", { name: "Mentés" }).click();
    await expect.poll(() => page.getByRole("cell", { name: "+36 1 999 8888", exact: true }).count()).toBe(1);

    await page.getByRole("button", { name: "Szerkesztés: +36 1 999 8888" }).click();
    await dialog.getByLabel("Megnevezés").fill("Értékesítés");
    await dialog.getByRole("button", { name: "Mentés" }).click();
    await expect.poll(() => page.getByRole("cell", { name: "Értékesítés" }).count()).toBe(1);
    await screenshot(page, "numbers-hu");
  });

  it("remembers the language on the account and edits an extension in Hungarian", async () => {
    const fresh = await browser.newContext({ locale: "en-US" });
    const other = await fresh.newPage();
    await signIn(other, admin.email, admin.password);
    await other.waitForURL(`${baseUrl}/`);
    await other.goto(`${baseUrl}/extensions`);
    await expect.poll(() => other.getByRole("heading", { name: "Mellékek és felhasználók" }).count()).toBe(1);
    await other.getByRole("button", { name: "Szerkesztés: 106" }).click();
    await other.getByRole("dialog").getByLabel("Megjelenített név").fill("Recepció");
    await other.getByRole("dialog").getByRole("button", { name: "Mentés" }).click();
    await expect.poll(() => other.getByRole("cell", { name: "Recepció" }).count()).toBe(1);
    await screenshot(other, "extensions-hu");
    await fresh.close();
  });
});

describe("roles are enforced by the server", () => {
  it("refuses an admin page and an admin mutation to a plain user", async () => {
    const userContext = await browser.newContext({ locale: "en-US" });
    const userPage = await userContext.newPage();
    await signIn(userPage, plainUser.email, plainUser.password);
    await userPage.waitForURL(`${baseUrl}/`);
    // The link is hidden, and the page itself answers 403.
    expect(await userPage.getByRole("link", { name: "Phone numbers" }).count()).toBe(0);
    const response = await userPage.goto(`${baseUrl}/numbers`);
    expect(response?.status()).toBe(403);
    expect(await userPage.getByRole("heading", { name: "You do not have access to this page" }).count()).toBe(1);
    await screenshot(userPage, "forbidden-en");
    expect(await userPage.getByRole("link", { name: "SIP trunks" }).count()).toBe(0);
    expect((await userPage.goto(`${baseUrl}/trunks`))?.status()).toBe(403);

    const mutation = await userPage.request.post(`${baseUrl}/api/trpc/phoneNumbers.create?batch=1`, {
      data: { 0: { json: { number: "+3612223333", label: "x", flowId: null } } },
    });
    expect(mutation.status()).toBe(403);
    await userContext.close();
  });
});
