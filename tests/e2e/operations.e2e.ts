import { spawnSync } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { countLiveCallsQueries, launchBrowser, screenshot, setLanguage, signInAsAdmin } from "./browser";

const baseUrl = inject("baseUrl");
const dataDir = inject("dataDir");
const slow = { timeout: 15_000 };

let browser: Browser;
let context: BrowserContext;
let page: Page;


beforeAll(async () => {
  browser = await launchBrowser();
  context = await browser.newContext({ locale: "en-US", viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
  await signInAsAdmin(page, baseUrl);
  await page.goto(`${baseUrl}/phonebook`);
  await setLanguage(page, "en");
});

afterAll(async () => {
  await browser?.close();
});

describe("phonebook", () => {
  it("adds a contact with two numbers and finds it by name and by number", async () => {
    await page.goto(`${baseUrl}/phonebook`);
    await expect.poll(() => page.getByRole("cell", { name: /Varga/ }).count(), slow).toBeGreaterThan(0);
    await page.getByRole("button", { name: "Add contact" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Last name").fill("Kertész");
    await dialog.getByLabel("First name").fill("Réka");
    await dialog.getByLabel("Company").fill("Kertész Kávé Kft.");
    await dialog.getByLabel("Number 1", { exact: true }).fill("06 30 555 1234");
    await dialog.getByRole("button", { name: "Add number" }).click();
    await dialog.getByLabel("Type of number 2").selectOption("work");
    await dialog.getByLabel("Number 2", { exact: true }).fill("12");
    await dialog.getByRole("button", { name: "Save" }).click();
    // The bad second number is named next to its field; nothing is saved yet.
    await expect.poll(() => dialog.getByText("This is not a valid phone number.").count(), slow).toBe(1);
    await dialog.getByLabel("Number 2", { exact: true }).fill("+36 1 555 6789");
    await dialog.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => page.getByText("Réka Kertész", { exact: true }).count(), slow).toBe(1);

    const search = page.getByLabel("Search contacts");
    await search.fill("kertesz kave");
    await expect.poll(() => page.getByRole("row").count(), slow).toBe(2);
    await search.fill("06 1 555 6789");
    await expect.poll(() => page.getByText("Réka Kertész", { exact: true }).count(), slow).toBe(1);
    await expect.poll(() => page.getByRole("row").count(), slow).toBe(2);
    expect(await page.getByRole("link", { name: "+36 30 555 1234" }).count()).toBe(1);
    await screenshot(page, "phonebook-search-en");
    await search.fill("");
    await expect.poll(() => page.getByRole("row").count(), slow).toBeGreaterThan(4);
    await screenshot(page, "phonebook-en");
  });

  it("imports a CSV file: previews good and bad rows, then stores the good one", async () => {
    await page.getByRole("button", { name: "Import CSV" }).click();
    const dialog = page.getByRole("dialog");
    const csv = "Vezetéknév;Keresztnév;Mobil\r\nSipos;Ákos;06 70 111 2222\r\nHibás;Szám;12\r\n";
    await dialog.getByLabel("CSV file").setInputFiles({ name: "contacts.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    await expect.poll(() => dialog.getByText("Ready to import: 1 new, 0 updated, 1 with errors (skipped).").count(), slow).toBe(1);
    expect(await dialog.getByRole("row", { name: /Szám Hibás/ }).getByText("This is not a valid phone number.").count()).toBe(1);
    const newContactLink = page.getByRole("link", { name: "+36 70 111 2222" });
    expect(await newContactLink.count()).toBe(0);
    await screenshot(page, "phonebook-import-en");
    await dialog.getByRole("button", { name: "Import (1)" }).click();
    await expect.poll(() => dialog.getByText("Imported: 1 new, 0 updated; skipped: 1.").count(), slow).toBe(1);
    await dialog.getByRole("button", { name: "Close" }).click();
    await expect.poll(() => newContactLink.count(), slow).toBe(1);
  });
});

describe("forwarding", () => {
  it("sets a busy forwarding rule on an extension and shows it in the list", async () => {
    await page.goto(`${baseUrl}/extensions`);
    await page.getByRole("button", { name: "Forwarding of 102" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Forward when the line is busy").check();
    await dialog.getByRole("group", { name: "When busy" }).getByLabel("Extension", { exact: true }).last().selectOption("103");
    await screenshot(page, "forwarding-dialog-en");
    await dialog.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => page.getByRole("row", { name: /102/ }).getByText("Busy →").count(), slow).toBe(1);
    expect(await page.getByRole("row", { name: /102/ }).getByText("103").count()).toBeGreaterThan(0);
    await screenshot(page, "extensions-forwarding-en");
  });
});

describe("call centre", () => {
  it("updates the live board without a reload when an agent logs in and pauses elsewhere", async () => {
    await page.goto(`${baseUrl}/call-centre`);
    await expect.poll(() => page.getByRole("status").filter({ hasText: "Live" }).count(), slow).toBe(1);
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
    const peterRow = page.locator('tr[data-agent="Péter Nagy"]');

    // A second window (another admin session) changes the agent's state.
    const other = await context.newPage();
    await other.goto(`${baseUrl}/call-centre`);
    await other.getByRole("button", { name: "Log in Péter Nagy" }).click();
    await expect.poll(() => peterRow.getByText("Available").count(), slow).toBe(1);

    await other.getByRole("button", { name: "Pause Péter Nagy" }).click();
    const dialog = other.getByRole("dialog");
    await dialog.getByLabel("Lunch").check();
    await dialog.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => peterRow.getByText("Paused").count(), slow).toBe(1);
    await expect.poll(() => peterRow.getByText("Lunch").count(), slow).toBe(1);
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    await other.close();
    await page.bringToFront();
    await screenshot(page, "call-centre-board-en");

    await page.getByRole("tab", { name: "Time in state" }).click();
    await expect.poll(() => page.getByRole("table", { name: "Time in state per agent" }).getByRole("row", { name: /Péter Nagy/ }).count(), slow).toBe(1);
    await screenshot(page, "call-centre-report-en");
    await page.getByRole("tab", { name: "Queues" }).click();
    await expect.poll(() => page.getByText("Customer support", { exact: true }).count(), slow).toBe(1);
    await screenshot(page, "call-centre-queues-en");
    await page.getByRole("tab", { name: "Agents" }).click();
    await expect.poll(() => page.getByRole("button", { name: "Make agent: Anna Kovács" }).count(), slow).toBe(1);
    await screenshot(page, "call-centre-agents-en");
  });
});

describe("calls", () => {
  function createTechnicalUser(): { client_id: string; client_secret: string } {
    const root = path.resolve(__dirname, "../..");
    const result = spawnSync(process.execPath, [path.join(root, "node_modules/tsx/dist/cli.mjs"), "server/cli/index.ts", "technical-user", "create", "--name", "E2E operations", "--scopes", "simulator,cdrs:read"], {
      cwd: root,
      env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: "silent", DEMO: "0" },
      encoding: "utf8",
    });
    if (result.status !== 0) throw new Error(`CLI failed: ${result.stderr}`);
    return JSON.parse(result.stdout.slice(result.stdout.indexOf("{")));
  }

  it("shows a simulated call live, through the stream without a reload or a poll, then in the history with its flow steps", async () => {
    const { client_id, client_secret } = createTechnicalUser();
    const headers = { authorization: `Basic ${Buffer.from(`${client_id}:${client_secret}`).toString("base64")}`, "content-type": "application/json" };
    await page.goto(`${baseUrl}/calls`);
    await expect.poll(() => page.getByText("No calls in progress.").count(), slow).toBe(1);
    await expect.poll(() => page.getByRole("status").filter({ hasText: /^Live$/ }).count(), slow).toBe(1);
    // From here the list can change only through the stream: the fallback poll runs only when it is lost.
    const polls = countLiveCallsQueries(page);

    const startedAt = Date.now();
    const started = await fetch(`${baseUrl}/api/v1/simulator/calls`, { method: "POST", headers, body: JSON.stringify({ from: "+36301112233", to: "+3612345678" }) });
    expect(started.status).toBeLessThan(300);
    const { call_id } = (await started.json()) as { call_id: string };
    const live = page.getByRole("table", { name: "Live calls" });
    await expect.poll(() => live.getByRole("cell", { name: /László Varga/ }).count(), { ...slow, interval: 50 }).toBe(1).catch(async (error) => {
      await screenshot(page, "debug-calls");
      throw error;
    });
    console.log(`live calls (one process): the call was on the page ${Date.now() - startedAt} ms after it was placed`);
    // The flow step moves on the page too (start → hours → the menu, or the closed message out of hours).
    await expect.poll(() => live.getByRole("cell", { name: /^(menu|closed)$/ }).count(), slow).toBe(1);
    expect(polls()).toBe(0);
    await screenshot(page, "calls-live-en");

    const hangup = await fetch(`${baseUrl}/api/v1/simulator/calls/${call_id}/hangup`, { method: "POST", headers });
    expect(hangup.status).toBeLessThan(300);
    await expect.poll(() => page.getByText("No calls in progress.").count(), slow).toBe(1);
    expect(polls()).toBe(0);

    await page.reload();
    const row = page.locator(`tr[data-call="${call_id}"]`);
    await expect.poll(() => row.count(), slow).toBe(1);
    expect(await row.getByText(/László Varga/).count()).toBe(1);
    await row.getByRole("button", { name: "Show the flow steps" }).click();
    await expect.poll(() => page.getByRole("dialog").getByText(/^1\. start/).count(), slow).toBe(1);
    await screenshot(page, "calls-trace-en");
    await page.keyboard.press("Escape");
    await screenshot(page, "calls-en");
  });
});

describe("in Hungarian", () => {
  it("shows the operations pages in Hungarian", async () => {
    await page.goto(`${baseUrl}/phonebook`);
    await setLanguage(page, "hu");
    try {
      await expect.poll(() => page.getByRole("heading", { name: "Telefonkönyv" }).count(), slow).toBe(1);
      await expect.poll(() => page.getByText("Réka Kertész", { exact: true }).count(), slow).toBeGreaterThan(0);
      await screenshot(page, "phonebook-hu");
      await page.getByRole("button", { name: "Új névjegy" }).click();
      await screenshot(page, "phonebook-dialog-hu");
      await page.keyboard.press("Escape");

      await page.goto(`${baseUrl}/extensions`);
      await page.getByRole("button", { name: "A(z) 102 mellék átirányítása" }).click();
      await expect.poll(() => page.getByRole("dialog").getByText("Foglaltság esetén").count(), slow).toBe(1);
      await screenshot(page, "forwarding-dialog-hu");
      await page.keyboard.press("Escape");

      await page.goto(`${baseUrl}/call-centre`);
      await expect.poll(() => page.locator('tr[data-agent="Péter Nagy"]').getByText("Ebéd").count(), slow).toBe(1);
      await screenshot(page, "call-centre-board-hu");
      await page.getByRole("button", { name: "Szünet vége: Péter Nagy" }).click();
      await expect.poll(() => page.locator('tr[data-agent="Péter Nagy"]').getByText("Elérhető").count(), slow).toBe(1);
      await page.goto(`${baseUrl}/call-centre?tab=report`);
      await expect.poll(() => page.getByRole("table", { name: "Állapotidők operátoronként" }).getByRole("row").count(), slow).toBeGreaterThan(1);
      await screenshot(page, "call-centre-report-hu");

      await page.goto(`${baseUrl}/calls`);
      await expect.poll(() => page.getByRole("heading", { name: "Híváselőzmények" }).count(), slow).toBe(1);
      await expect.poll(() => page.getByRole("cell", { name: "Bejövő" }).count(), slow).toBeGreaterThan(0);
      await screenshot(page, "calls-hu");
    } finally {
      // The language is saved on the account; other test files expect English.
      await setLanguage(page, "en");
    }
  });
});
