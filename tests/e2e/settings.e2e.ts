import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchBrowser, screenshot, setLanguage, signInAsAdmin } from "./browser";

const baseUrl = inject("baseUrl");
const slow = { timeout: 15_000 };

let browser: Browser;
let context: BrowserContext;
let page: Page;
let originalName = "";
let originalLocale = "en";

const sidebar = () => page.locator("aside");

beforeAll(async () => {
  browser = await launchBrowser();
  context = await browser.newContext({ locale: "en-US", viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  await signInAsAdmin(page, baseUrl);
  await page.goto(`${baseUrl}/settings`);
  await setLanguage(page, "en");
});

afterAll(async () => {
  // The server is shared with other browser tests: leave the settings and the admin's language as they were.
  if (page && originalName) {
    await page.goto(`${baseUrl}/settings`);
    const name = page.getByLabel(/^(Organisation name|Szervezet neve)$/);
    await name.waitFor(slow);
    await name.fill(originalName);
    await page.getByLabel(/^(Keep delivered webhooks for \(days\)|Kézbesített webhookok megőrzése \(nap\))$/).fill("30");
    await page.getByLabel(/^(Default language for new users|Új felhasználók alapértelmezett nyelve)$/).selectOption(originalLocale);
    await page.getByLabel(/^(Public address|Nyilvános cím)$/).fill("");
    await page.getByRole("button", { name: /^(Save settings|Beállítások mentése)$/ }).click();
    await page.getByText(/^(Settings saved\.|A beállítások elmentve\.)$/).waitFor(slow);
    await setLanguage(page, "en");
  }
  await browser?.close();
});

describe("settings", () => {
  it("changes the organisation name and delivery retention in English; they survive a reload", async () => {
    await page.goto(`${baseUrl}/settings`);
    await expect.poll(() => page.getByRole("heading", { name: "Settings", level: 1 }).count(), slow).toBe(1);
    const name = page.getByLabel("Organisation name");
    await name.waitFor(slow);
    originalName = await name.inputValue();
    originalLocale = await page.getByLabel("Default language for new users").inputValue();
    expect(originalName).not.toBe("");
    const retention = page.getByLabel("Keep delivered webhooks for (days)");
    expect(await retention.inputValue()).toBe("30");
    await expect.poll(() => page.getByText("Waiting, failed and given-up deliveries are always kept.", { exact: false }).count()).toBe(1);

    // Out of range: refused with the reason under the field, nothing saved.
    await name.fill("Teszt Telecom Kft.");
    await retention.fill("0");
    await page.getByRole("button", { name: "Save settings" }).click();
    await expect.poll(() => page.getByText("Enter a whole number of days between 1 and 365.").count(), slow).toBe(1);
    await screenshot(page, "settings-error-en");

    await retention.fill("7");
    await page.getByRole("button", { name: "Save settings" }).click();
    await expect.poll(() => page.getByText("Settings saved.").count(), slow).toBe(1);
    // The portal shell shows the new name without a reload.
    await expect.poll(() => sidebar().getByText("Teszt Telecom Kft.", { exact: true }).count(), slow).toBe(1);
    await screenshot(page, "settings-saved-en");

    await page.reload();
    await page.getByLabel("Organisation name").waitFor(slow);
    expect(await page.getByLabel("Organisation name").inputValue()).toBe("Teszt Telecom Kft.");
    expect(await page.getByLabel("Keep delivered webhooks for (days)").inputValue()).toBe("7");
    expect(await sidebar().getByText("Teszt Telecom Kft.", { exact: true }).count()).toBe(1);
  });

  it("sets the public address CRMs reach this server at, refusing one with a path", async () => {
    await page.goto(`${baseUrl}/settings`);
    const address = page.getByLabel("Public address");
    await address.waitFor(slow);
    expect(await address.inputValue()).toBe("");
    await expect.poll(() => page.getByText("HubSpot needs https.", { exact: false }).count()).toBe(1);

    await address.fill("https://pbx.example.com/switchboard");
    await page.getByRole("button", { name: "Save settings" }).click();
    await expect.poll(() => page.getByText("with no path, query or user name.", { exact: false }).count(), slow).toBe(1);
    expect(await address.getAttribute("aria-invalid")).toBe("true");
    await screenshot(page, "settings-public-address-error-en");

    await address.fill("https://PBX.example.com/");
    await page.getByRole("button", { name: "Save settings" }).click();
    await expect.poll(() => page.getByText("Settings saved.").count(), slow).toBe(1);
    await page.reload();
    await page.getByLabel("Public address").waitFor(slow);
    expect(await page.getByLabel("Public address").inputValue()).toBe("https://pbx.example.com");
    await screenshot(page, "settings-public-address-en");
  });

  it("does the same in Hungarian", async () => {
    await setLanguage(page, "hu");
    await page.goto(`${baseUrl}/settings`);
    await expect.poll(() => page.getByRole("heading", { name: "Beállítások", level: 1 }).count(), slow).toBe(1);
    const name = page.getByLabel("Szervezet neve");
    await name.waitFor(slow);
    const retention = page.getByLabel("Kézbesített webhookok megőrzése (nap)");
    expect(await retention.inputValue()).toBe("7");

    await name.fill("Példa Telefon Zrt.");
    await retention.fill("400");
    await page.getByRole("button", { name: "Beállítások mentése" }).click();
    await expect.poll(() => page.getByText("Adjon meg egy 1 és 365 közötti egész számot (nap).").count(), slow).toBe(1);

    await name.fill("");
    await retention.fill("90");
    await page.getByRole("button", { name: "Beállítások mentése" }).click();
    await expect.poll(() => page.getByText("Töltse ki ezt a mezőt.", { exact: false }).count(), slow).toBeGreaterThan(0);
    await screenshot(page, "settings-error-hu");

    await name.fill("Példa Telefon Zrt.");
    await page.getByLabel("Új felhasználók alapértelmezett nyelve").selectOption("hu");
    await page.getByRole("button", { name: "Beállítások mentése" }).click();
    await expect.poll(() => page.getByText("A beállítások elmentve.").count(), slow).toBe(1);
    await expect.poll(() => sidebar().getByText("Példa Telefon Zrt.", { exact: true }).count(), slow).toBe(1);
    await screenshot(page, "settings-saved-hu");

    await page.reload();
    await page.getByLabel("Szervezet neve").waitFor(slow);
    expect(await page.getByLabel("Szervezet neve").inputValue()).toBe("Példa Telefon Zrt.");
    expect(await page.getByLabel("Kézbesített webhookok megőrzése (nap)").inputValue()).toBe("90");
    expect(await page.getByLabel("Új felhasználók alapértelmezett nyelve").inputValue()).toBe("hu");
    expect(await page.getByLabel("Nyilvános cím").inputValue()).toBe("https://pbx.example.com");

    await page.getByLabel("Nyilvános cím").fill("ftp://pbx.example.com");
    await page.getByRole("button", { name: "Beállítások mentése" }).click();
    await expect.poll(() => page.getByText("útvonal, lekérdezés és felhasználónév nélkül.", { exact: false }).count(), slow).toBe(1);
  });
});
