/**
 * axe-core's WCAG 2.0/2.1 A and AA rules on every portal page, the flow
 * editor with the demo flow, the sign-in and first-run pages, and the phone
 * layout's drawer and read-only editor. Any violation fails, naming the rule
 * and the elements, so a new one is caught where it is introduced.
 */
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchBrowser, setLanguage, signInAsAdmin } from "./browser";

const baseUrl = inject("baseUrl");
const DEMO_FLOW = "Reception: business hours and menu";
const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
const AXE_SOURCE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

let browser: Browser;
let signedIn: BrowserContext;
let page: Page;
/** The first-run page, scanned before the first admin exists; null when another test file created them already. */
let setupViolations: Violation[] | null = null;

/** Runs axe on what the page shows now (after its data arrived). */
async function violations(target: Page): Promise<Violation[]> {
  await target.waitForLoadState("networkidle");
  await target.waitForTimeout(300);
  // Colours caught mid-transition (a button turning enabled as its data arrives) would be measured wrong: axe sees the
  // final colours only. Transitions only; nothing about the page's colours changes.
  await target.addStyleTag({ content: "*, *::before, *::after { transition: none !important; }" });
  if (!(await target.evaluate(() => "axe" in window))) await target.addScriptTag({ path: AXE_SOURCE });
  return target.evaluate(async (tags) => {
    const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[]; failureSummary?: string }[] }[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] });
    return result.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      // The selector, and what is wrong there (for contrast: the colours and the ratio).
      targets: violation.nodes.map((node) => `${node.target.map(String).join(" ")}  ${(node.failureSummary ?? "").split("\n").slice(1).join(" ").trim()}`),
    }));
  }, WCAG_TAGS);
}

/** One line per rule: what it checks and the selectors of the offending elements. */
function report(found: Violation[]): string {
  return found.map((violation) => `${violation.id} (${violation.impact}): ${violation.help}\n    ${violation.targets.join("\n    ")}`).join("\n");
}

async function expectClean(target: Page, what: string): Promise<void> {
  const found = await violations(target);
  expect(found, `${what} (${target.url()}):\n${report(found)}`).toEqual([]);
}

beforeAll(async () => {
  browser = await launchBrowser();
  signedIn = await browser.newContext({ locale: "en-US", viewport: { width: 1366, height: 860 } });
  page = await signedIn.newPage();
  await page.goto(baseUrl);
  if (new URL(page.url()).pathname === "/setup") setupViolations = await violations(page);
  await signInAsAdmin(page, baseUrl);
  await setLanguage(page, "en");
});

afterAll(async () => {
  await browser?.close();
});

describe.each(["en", "hu"] as const)("WCAG 2 A/AA (axe-core), portal pages in %s", (locale) => {
  beforeAll(async () => {
    await page.goto(baseUrl);
    await setLanguage(page, locale);
  });

  it.each(["/", "/flows", "/numbers", "/trunks", "/extensions", "/phonebook", "/call-centre", "/calls", "/api-access", "/settings"])(
    "%s has no violations, on every tab",
    async (path) => {
      await page.goto(`${baseUrl}${path}`);
      await expectClean(page, path);
      const tabs = page.getByRole("tab");
      for (let index = 1; index < (await tabs.count()); index++) {
        const tab = tabs.nth(index);
        const label = await tab.textContent();
        await tab.click();
        await expectClean(page, `${path} → ${label}`);
      }
    },
  );
});

describe("WCAG 2 A/AA (axe-core), editor, phone layout, sign-in", () => {
  beforeAll(async () => {
    await page.goto(baseUrl);
    await setLanguage(page, "en");
  });

  it("the flow editor with the demo flow open has no violations", async () => {
    await page.goto(`${baseUrl}/flows`);
    await page.getByRole("link", { name: DEMO_FLOW, exact: true }).first().click();
    await page.waitForURL(/\/flows\/flw_/);
    await expect.poll(() => page.locator(".react-flow__node").count(), { timeout: 15_000 }).toBeGreaterThan(3);
    await expectClean(page, "Flow editor");
    // A selected node fills the inspector with its form.
    await page.locator(".react-flow__node").filter({ hasText: "Menu" }).first().click();
    await expectClean(page, "Flow editor, a node selected");
    await setLanguage(page, "hu");
    await expectClean(page, "Flow editor in Hungarian");
    await setLanguage(page, "en");
  });

  it("the SIP trunk form, with its field errors, has no violations", async () => {
    await page.goto(`${baseUrl}/trunks`);
    await page.getByRole("button", { name: "Add SIP trunk" }).click();
    const dialog = page.getByRole("dialog");
    await expectClean(page, "SIP trunk form");
    await dialog.getByLabel("Provider addresses").fill("not an address");
    await dialog.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => dialog.getByRole("alert").count()).toBeGreaterThan(0);
    await expectClean(page, "SIP trunk form with errors");
    await dialog.getByRole("button", { name: "Cancel" }).click();
  });

  it("the phone layout (menu drawer, read-only editor) has no violations", async () => {
    const phone = await browser.newContext({ locale: "en-US", viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, storageState: await signedIn.storageState() });
    const small = await phone.newPage();
    await small.goto(`${baseUrl}/flows`);
    await small.getByRole("button", { name: "Menu", exact: true }).click();
    await expectClean(small, "Menu drawer");
    await small.keyboard.press("Escape");
    await small.getByRole("link", { name: DEMO_FLOW, exact: true }).first().click();
    await expect.poll(() => small.locator(".react-flow__node").count(), { timeout: 15_000 }).toBeGreaterThan(3);
    await expectClean(small, "Read-only editor at phone width");
    await phone.close();
  });

  it("the sign-in page, and the first-run page when this server still showed it, have no violations", async () => {
    const anonymous = await browser.newContext({ locale: "en-US" });
    const login = await anonymous.newPage();
    await login.goto(`${baseUrl}/login`);
    await expectClean(login, "Sign-in");
    await anonymous.close();
    if (setupViolations) expect(setupViolations, `First-run page:\n${report(setupViolations)}`).toEqual([]);
  });
});
