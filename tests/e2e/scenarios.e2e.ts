import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { launchBrowser, screenshot, setLanguage, signInAsAdmin } from "./browser";

const baseUrl = inject("baseUrl");
/** Autosave and a run on the server take a moment: vitest's 1 s default is too short. */
const patient = { timeout: 15_000 };

let browser: Browser;
let page: Page;

const canvasNode = (id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);
const scenario = (name: string) => page.getByRole("region", { name, exact: true });

beforeAll(async () => {
  browser = await launchBrowser();
  const context = await browser.newContext({ locale: "en-US", viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  await signInAsAdmin(page, baseUrl);
  await setLanguage(page, "en");
});

afterAll(async () => {
  // Leave the shared account in English for the test files that run after this one.
  if (page) await setLanguage(page, "en");
  await browser?.close();
});

describe("saved test scenarios in the flow editor", () => {
  it("creates a scenario with the form, runs it, and names the expectation that fails", async () => {
    await page.goto(`${baseUrl}/flows`);
    await page.getByRole("link", { name: "Reception: business hours and menu" }).click();
    await expect.poll(() => canvasNode("hours").count(), patient).toBe(1);
    await page.getByRole("tab", { name: "Scenarios" }).click();
    // The demo flow carries the fixture's three scenarios.
    await expect.poll(() => page.getByRole("list", { name: "Saved scenarios" }).locator(":scope > li").count(), patient).toBe(3);

    await page.getByRole("button", { name: "New scenario" }).click();
    const card = page.getByRole("list", { name: "Saved scenarios" }).locator(":scope > li").last();
    expect(await card.getByRole("region").getAttribute("aria-label")).toBe("New scenario");
    await card.getByLabel("Scenario name").fill("");
    await expect.poll(() => card.getByText("Required.").count(), patient).toBe(1);
    await card.getByLabel("Scenario name").fill("Closed on Sunday");
    const form = scenario("Closed on Sunday");
    await form.getByLabel("Caller's number").fill("+36201234567");
    await form.getByLabel("Pretend it is").fill("2026-01-04T10:00");
    await form.getByRole("button", { name: "Add a phone" }).click();
    await form.getByRole("group", { name: "Phone of extension 101" }).getByLabel("What the phone does").selectOption("busy");
    await form.getByRole("button", { name: "Add a key press" }).click();
    await form.getByRole("group", { name: "Key press 1" }).getByLabel("Keys").fill("1x");
    await expect.poll(() => form.getByText("Only digits, * and # (at most 20).").count(), patient).toBe(1);
    await form.getByRole("group", { name: "Key press 1" }).getByLabel("Keys").fill("1");

    await form.getByRole("button", { name: "Run Closed on Sunday" }).click();
    await expect.poll(() => form.getByText("Passed", { exact: true }).count(), patient).toBe(1);
    await expect.poll(() => form.getByText("No expectations yet", { exact: false }).count(), patient).toBe(1);

    // The path of the run becomes the expected path; the run passes again.
    await form.getByRole("button", { name: "Use the path of the last run" }).click();
    await expect.poll(() => form.getByRole("button", { name: "Remove step 4" }).count(), patient).toBe(1);
    await form.getByRole("button", { name: "Run Closed on Sunday" }).click();
    const checks = form.getByRole("list", { name: "Expectations of Closed on Sunday" });
    await expect.poll(() => checks.getByRole("listitem").filter({ hasText: "Path" }).count(), patient).toBe(1);
    expect(await form.getByText("Passed", { exact: true }).count()).toBe(1);

    // Someone must answer: nobody does on a Sunday, so the run fails and says so.
    await form.getByLabel("Answered by").selectOption("101");
    await form.getByRole("button", { name: "Run Closed on Sunday" }).click();
    await expect.poll(() => form.getByText("Failed", { exact: true }).count(), patient).toBe(1);
    const failing = checks.getByRole("listitem").filter({ hasText: "Answered by" });
    expect(await failing.innerText()).toMatch(/expected:\s*101 · Anna Kovács\s*·\s*actual:\s*nobody/);
    // The failed run's path is drawn on the canvas.
    await expect.poll(() => form.getByRole("button", { name: "Show the path on the canvas" }).getAttribute("aria-pressed"), patient).toBe("true");
    await expect.poll(() => canvasNode("closed").getAttribute("class"), patient).toContain("node-visited");
    expect(await canvasNode("menu").getAttribute("class")).not.toContain("node-visited");
    await form.getByRole("button", { name: "Closed on Sunday", exact: true }).click();
    await screenshot(page, "editor-scenarios-en");

    await page.getByRole("button", { name: "Run all" }).click();
    await expect.poll(() => page.getByRole("status").filter({ hasText: "3 of 4 passed" }).count(), patient).toBe(1);
    await form.getByRole("button", { name: "Closed on Sunday", exact: true }).click();
    await form.getByLabel("Caller's number").scrollIntoViewIfNeeded();
    await screenshot(page, "editor-scenarios-form-en");
    await form.getByLabel("Answered by").scrollIntoViewIfNeeded();
    await screenshot(page, "editor-scenarios-expect-en");
  });

  it("reads in Hungarian", async () => {
    await setLanguage(page, "hu");
    await page.getByRole("tab", { name: "Forgatókönyvek" }).click();
    await page.getByRole("button", { name: "Összes futtatása" }).click();
    await expect.poll(() => page.getByRole("status").filter({ hasText: "3 / 4 sikeres" }).count(), patient).toBe(1);
    await screenshot(page, "editor-scenarios-hu");
    const toggle = scenario("Closed on Sunday").getByRole("button", { name: "Closed on Sunday", exact: true });
    if ((await toggle.getAttribute("aria-expanded")) !== "true") await toggle.click();
    await scenario("Closed on Sunday").getByLabel("Hívó száma").scrollIntoViewIfNeeded();
    await screenshot(page, "editor-scenarios-form-hu");
    // Leave the demo flow's draft as it was.
    await scenario("Closed on Sunday").getByRole("button", { name: "Törlés", exact: true }).click();
    await expect.poll(() => page.getByRole("list", { name: "Mentett forgatókönyvek" }).locator(":scope > li").count(), patient).toBe(3);
    await expect.poll(() => page.getByRole("status").filter({ hasText: /Mentve/ }).count(), patient).toBeGreaterThan(0);
  });
});
