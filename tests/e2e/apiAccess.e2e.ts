import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { Webhook } from "standardwebhooks";
import { TestReceiver } from "@/server/integration/testing/receiver";
import { launchBrowser, screenshot, setLanguage, signInAsAdmin } from "./browser";

const baseUrl = inject("baseUrl");
const slow = { timeout: 15_000 };

let browser: Browser;
let context: BrowserContext;
let page: Page;
let crm: TestReceiver;


beforeAll(async () => {
  crm = new TestReceiver();
  await crm.listen();
  browser = await launchBrowser();
  context = await browser.newContext({ locale: "en-US", viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseUrl });
  page = await context.newPage();
  await signInAsAdmin(page, baseUrl);
  await page.goto(`${baseUrl}/api-access`);
  await setLanguage(page, "en");
});

afterAll(async () => {
  await browser?.close();
  await crm?.close();
});

describe("API access", () => {
  it("creates a technical user and shows its secret exactly once", async () => {
    await page.goto(`${baseUrl}/api-access?tab=users`);
    await page.getByRole("button", { name: "New technical user" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Name", { exact: true }).fill("MiniCRM production");
    await dialog.getByRole("button", { name: "Save" }).click();
    const secretDialog = page.getByRole("dialog", { name: "Credentials of the technical user" });
    await expect.poll(() => secretDialog.getByTestId("secret-client_secret").count(), slow).toBe(1);
    const secret = await secretDialog.getByTestId("secret-client_secret").textContent();
    expect(secret?.length).toBeGreaterThan(30);
    await screenshot(page, "api-access-secret-en");
    await secretDialog.getByRole("button", { name: "I have saved it" }).click();
    await expect.poll(() => page.getByRole("cell", { name: "MiniCRM production", exact: true }).count(), slow).toBe(1);
    expect(await page.content()).not.toContain(secret);
  });

  it("sets up MiniCRM's end-of-call format from the preset, and the Test button shows what was sent and received", async () => {
    await page.goto(`${baseUrl}/api-access`);
    await page.getByRole("button", { name: "Add: End-of-call data API" }).click();
    await page.getByLabel("Start from").selectOption("minicrm_call_log");
    await page.getByLabel("Name", { exact: true }).fill("MiniCRM call log");
    await page.getByLabel("URL", { exact: true }).fill(crm.url("/minicrm"));
    await page.getByLabel("VOIP key").fill("minicrm-api-key-1");
    await page.getByRole("button", { name: "Save" }).click();
    const secretDialog = page.getByRole("dialog", { name: "Signing secret" });
    await expect.poll(() => secretDialog.getByTestId("secret-signing_secret").count(), slow).toBe(1);
    const signingSecret = (await secretDialog.getByTestId("secret-signing_secret").textContent()) ?? "";
    expect(signingSecret).toMatch(/^whsec_/);
    await secretDialog.getByRole("button", { name: "I have saved it" }).click();

    crm.respond = () => ({ status: 200, headers: { "content-type": "application/json" }, body: '{"Status":"OK"}' });
    await page.getByRole("button", { name: "Test: MiniCRM call log" }).click();
    const report = page.getByTestId("test-report");
    await expect.poll(() => report.getByText("Accepted").count(), slow).toBe(1);
    expect(await report.textContent()).toContain('"ApiKey": "••••"');
    expect(await report.textContent()).toContain('{"Status":"OK"}');
    await screenshot(page, "api-access-test-en");
    const [received] = crm.requests;
    expect(JSON.parse(received.body)).toMatchObject({ ApiKey: "minicrm-api-key-1", Data: [{ CallType: 1 }] });
    expect(() => new Webhook(signingSecret).verify(received.body, received.headers as Record<string, string>)).not.toThrow();
    await page.getByRole("button", { name: "Close" }).click();
  });

  it("previews a look-up mapping live against a pasted reply, and explains a refused connection", async () => {
    await page.getByRole("button", { name: "Add: Data look-up API" }).click();
    await page.getByLabel("Extension", { exact: true }).fill("$.owner.ext");
    await page.getByLabel("Sample reply from the CRM").fill('{"owner": {"ext": "103"}}');
    await expect.poll(() => page.getByTestId("mapping-preview").textContent(), slow).toContain('"extension": "103"');
    await page.getByLabel("Name", { exact: true }).fill("Owner look-up");
    await page.getByLabel("URL", { exact: true }).fill("http://127.0.0.1:9/lookup");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("dialog", { name: "Signing secret" }).getByRole("button", { name: "I have saved it" }).click();
    await page.getByRole("button", { name: "Test: Owner look-up" }).click();
    await expect.poll(() => page.getByTestId("test-report").textContent(), slow).toContain("The CRM refused the connection");
    await page.getByRole("button", { name: "Close" }).click();
  });

  it("builds a two-request look-up in the form: a named field from the first reply goes into the second request's body", async () => {
    crm.requests.length = 0;
    crm.respond = (request) =>
      request.url.startsWith("/contact")
        ? { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ contact: { id: "C-9", name: "Kiss Anna" }, deal: { id: "D-77" } }) }
        : { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ owner: { ext: "102" } }) };
    await page.getByRole("button", { name: "Add: Data look-up API" }).click();
    await page.getByLabel("Name", { exact: true }).fill("Deal owner");
    await page.getByLabel("URL", { exact: true }).fill(crm.url("/contact?number={{ call.caller.number }}"));
    await page.getByRole("button", { name: "Add a named field" }).click();
    await page.getByLabel("Field name 1", { exact: true }).fill("deal_id");
    await page.getByLabel("JSONPath 1", { exact: true }).fill("$.deal.id");
    await page.getByLabel("Sample reply from the CRM").fill('{"deal": {"id": "D-1"}}');
    await expect.poll(() => page.getByTestId("mapping-preview").textContent(), slow).toContain('"deal_id": "D-1"');

    await page.getByRole("button", { name: "Add a request" }).click();
    await page.getByLabel("Method").last().selectOption("POST");
    await page.getByLabel("URL of request 2").fill(crm.url("/deal-owner"));
    await page.getByLabel("Body template (Liquid) (Request 2)").fill('{"deal": "{{ fields.deal_id }}"}');
    await page.getByLabel("Extension (Request 2)").fill("$.owner.ext");
    await screenshot(page, "lookup-chain-form");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("dialog", { name: "Signing secret" }).getByRole("button", { name: "I have saved it" }).click();

    await page.getByLabel("Caller number for the test: Deal owner").fill("+36301112233");
    await page.getByRole("button", { name: "Test: Deal owner" }).click();
    await expect.poll(() => page.getByTestId("test-report").textContent(), slow).toContain("102");
    await page.getByRole("button", { name: "Close" }).click();
    const second = crm.requests.find((request) => request.url === "/deal-owner");
    expect(second?.method).toBe("POST");
    expect(JSON.parse(second!.body)).toEqual({ deal: "D-77" });

    // Saved as typed: the edit form shows the named field and the step's body again.
    await page.getByRole("button", { name: "Edit: Deal owner" }).click();
    expect(await page.getByLabel("Field name 1", { exact: true }).inputValue()).toBe("deal_id");
    expect(await page.getByLabel("Body template (Liquid) (Request 2)").inputValue()).toBe('{"deal": "{{ fields.deal_id }}"}');
    await page.getByRole("button", { name: "Cancel" }).click();
  });

  it("shows the delivery log and the page in Hungarian", async () => {
    await page.goto(`${baseUrl}/api-access?tab=log`);
    await expect.poll(() => page.getByRole("heading", { name: "Delivery log" }).count(), slow).toBe(1);
    await setLanguage(page, "hu");
    await expect.poll(() => page.getByRole("heading", { name: "API-hozzáférés" }).count(), slow).toBe(1);
    await expect.poll(() => page.getByRole("heading", { name: "Kézbesítési napló" }).count(), slow).toBe(1);
    await page.goto(`${baseUrl}/api-access`);
    await expect.poll(() => page.getByRole("heading", { name: "Hívás végi adatküldés API" }).count(), slow).toBe(1);
    await screenshot(page, "api-access-hu");
    await setLanguage(page, "en");
  });
});
