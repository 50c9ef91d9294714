/**
 * The portal on a phone (390×844), in English and Hungarian: every page is
 * reachable from the menu drawer, no page scrolls sideways (wide tables scroll
 * inside their card), and the flow editor opens read-only with a note.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { launchBrowser, screenshot, setLanguage, signInAsAdmin } from "./browser";
import { basicOf, createTechnicalUser, restClient } from "./rest";

const baseUrl = inject("baseUrl");
const dataDir = inject("dataDir");
const slow = { timeout: 15_000 };
const PHONE = { width: 390, height: 844 };
const pages = [
  { path: "/", en: "Overview", hu: "Áttekintés" },
  { path: "/flows", en: "Call flows", hu: "Hívaslogikák" },
  { path: "/numbers", en: "Phone numbers", hu: "Hívószámok" },
  { path: "/trunks", en: "SIP trunks", hu: "SIP trönkök" },
  { path: "/extensions", en: "Extensions & users", hu: "Mellékek és felhasználók" },
  { path: "/phonebook", en: "Phonebook", hu: "Telefonkönyv" },
  { path: "/call-centre", en: "Call centre", hu: "Call center" },
  { path: "/calls", en: "Calls", hu: "Hívások" },
  { path: "/api-access", en: "API access", hu: "API hozzáférés" },
  { path: "/settings", en: "Settings", hu: "Beállítások" },
];
const menu = { en: "Menu", hu: "Menü" };
const DEMO_FLOW = "Reception: business hours and menu";
const wideScreenNote = { en: /Editing a call flow needs a wider screen/, hu: /szerkesztéséhez szélesebb képernyő kell/ };

let browser: Browser;
let page: Page;

beforeAll(async () => {
  // Rows with the most controls: a data look-up has a test-number field, Test and four icon buttons.
  const auth = basicOf(createTechnicalUser(dataDir, "Phone layout"));
  const { ok } = restClient(baseUrl, () => auth);
  for (const name of ["Phone layout look-up", "Another look-up with a longer name"]) {
    await ok("/outbound-apis", { method: "POST", body: { kind: "data_lookup", name, url: "https://crm.example.com/api/v2/lookup?number={{ call.caller.number }}&fields=owner", method: "GET" } });
  }
  browser = await launchBrowser();
  const desktop = await browser.newContext({ locale: "en-US", viewport: { width: 1280, height: 900 } });
  const signIn = await desktop.newPage();
  await signInAsAdmin(signIn, baseUrl);
  await setLanguage(signIn, "en");
  const phone = await browser.newContext({ locale: "en-US", viewport: PHONE, isMobile: true, hasTouch: true, storageState: await desktop.storageState() });
  await desktop.close();
  page = await phone.newPage();
  await page.goto(baseUrl);
});

afterAll(async () => {
  if (page) await switchLanguage("en").catch(() => undefined);
  await browser?.close();
});

/** The language selector lives in the drawer on a phone; the choice is saved to the account. */
async function switchLanguage(locale: "en" | "hu"): Promise<void> {
  const current = (await page.evaluate(() => document.documentElement.lang)) as "en" | "hu";
  if (current === locale) return;
  await page.getByRole("button", { name: menu[current], exact: true }).click();
  await drawer(current).getByRole("combobox").selectOption(locale);
  await page.waitForFunction((wanted) => document.documentElement.lang === wanted, locale, { timeout: 15_000 });
  await page.keyboard.press("Escape");
  await page.getByRole("dialog").waitFor({ state: "detached", ...slow });
}

/** How far the page reaches past the phone's width (a mobile browser would zoom out or scroll sideways); measured after the data arrived. */
async function horizontalOverflow(): Promise<number> {
  await page.waitForLoadState("networkidle");
  await page.waitForTimeout(300);
  return page.evaluate((width) => document.documentElement.scrollWidth - width, PHONE.width);
}

function drawer(locale: "en" | "hu") {
  return page.getByRole("dialog", { name: menu[locale], exact: true });
}

async function openFromMenu(locale: "en" | "hu", linkName: string): Promise<void> {
  await page.getByRole("button", { name: menu[locale], exact: true }).click();
  await drawer(locale).getByRole("link", { name: linkName, exact: true }).click();
  await expect.poll(() => drawer(locale).count(), slow).toBe(0);
}

describe.each(["en", "hu"] as const)("the portal at phone width (%s)", (locale) => {
  beforeAll(async () => {
    await page.goto(baseUrl);
    await switchLanguage(locale);
  });

  it("hides the sidebar and reaches every page from the menu drawer, without sideways scrolling", async () => {
    expect(await page.locator("aside nav").isVisible()).toBe(false);
    for (const target of pages) {
      if (target.path === "/") {
        await page.getByRole("button", { name: menu[locale], exact: true }).click();
        await screenshot(page, `phone-menu-${locale}`);
        await page.keyboard.press("Escape");
      }
      await openFromMenu(locale, target[locale]);
      await page.waitForURL(`${baseUrl}${target.path}`);
      const overflow = await horizontalOverflow();
      await screenshot(page, `phone-${locale}${target.path === "/" ? "-overview" : target.path.replace("/", "-")}`);
      expect(overflow, `${target.path} scrolls sideways`).toBeLessThanOrEqual(0);
    }
  });

  it("offers language and sign-out in a modal drawer, and closes it with Escape", async () => {
    await page.getByRole("button", { name: menu[locale], exact: true }).click();
    expect(await drawer(locale).getByRole("combobox", { name: locale === "en" ? "Language" : "Nyelv" }).count()).toBe(1);
    expect(await drawer(locale).getByRole("button", { name: locale === "en" ? "Sign out" : "Kijelentkezés" }).count()).toBe(1);
    // Modal: the page behind cannot be reached with Tab or a screen reader; on closing, focus returns to the button.
    expect(await page.locator("main").getAttribute("inert")).not.toBeNull();
    await page.keyboard.press("Escape");
    await expect.poll(() => drawer(locale).count(), slow).toBe(0);
    expect(await page.locator("main").getAttribute("inert")).toBeNull();
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute("aria-controls")), slow).toBe("mobile-navigation");
  });

  it("opens a flow read-only, with a note that editing needs a wider screen", async () => {
    await openFromMenu(locale, pages[1][locale]);
    // The demo flow (seeded in English, the language of a fresh install); other test files may have added flows.
    await page.getByRole("link", { name: DEMO_FLOW, exact: true }).first().click();
    await page.waitForURL(/\/flows\/flw_/);
    await expect.poll(() => page.getByRole("note").filter({ hasText: wideScreenNote[locale] }).count(), slow).toBe(1);
    await expect.poll(() => page.locator(".react-flow__node").count(), slow).toBeGreaterThan(3);
    // It opens at the start node, at a size that can be read (the whole flow would be a fifth of its size).
    await expect.poll(async () => (await page.locator('.react-flow__node[data-id="start"]').boundingBox())?.width ?? 0, slow).toBeGreaterThan(160);
    const start = (await page.locator('.react-flow__node[data-id="start"]').boundingBox())!;
    expect(start.x).toBeGreaterThanOrEqual(0);
    expect(start.x + start.width).toBeLessThanOrEqual(PHONE.width);
    // Nothing to edit with: no palette, no publishing, nodes cannot be picked up.
    expect(await page.getByRole("button", { name: locale === "en" ? "Publish" : "Közzététel" }).count()).toBe(0);
    expect(await page.locator(".react-flow__node.draggable, .react-flow__node.selectable").count()).toBe(0);
    expect(await horizontalOverflow()).toBeLessThanOrEqual(0);
    await screenshot(page, `phone-${locale}-flow-editor`);
    await page.getByRole("link", { name: locale === "en" ? "Back to call flows" : "Vissza a hívaslogikákhoz" }).click();
    await page.waitForURL(`${baseUrl}/flows`);
  });
});
