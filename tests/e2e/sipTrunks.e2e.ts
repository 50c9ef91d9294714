/**
 * SIP trunks on the production build with TELEPHONY=sip (issue #13): an admin
 * configures a trunk in Chromium and sees it listed; the running SIP edge
 * takes the trunk's next INVITE for its DID (without a restart) after having
 * challenged the same INVITE as a phone's (401: an unknown source must prove
 * an extension's SIP password), refuses a DID the trunk does not carry
 * (404), registers with a provider whose credentials were typed into the form
 * and the page shows it registered; the extension's SIP panel shows the
 * server address phones register to. A UDP socket of the test plays trunk and provider.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { headerValue, responseTo, serializeMessage } from "@/server/telephony/sip/message";
import { inviteText, SipTestPeer } from "@/server/telephony/sip/testing/sipTestPeer";
import { launchBrowser, screenshot, setLanguage, signInAsAdmin } from "./browser";
import { freePort, startServer, type RunningServer } from "./server";

let server: RunningServer;
let dataDir: string;
let baseUrl: string;
let sipPort: number;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let trunk: SipTestPeer;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-sip-e2e-"));
  sipPort = await freePort();
  server = await startServer(dataDir, { TELEPHONY: "sip", SIP_LISTEN: `127.0.0.1:${sipPort}`, SIP_ADVERTISED_ADDRESS: "127.0.0.1", RTP_PORTS: "42000-42099", SIP_TRUNKS: "" });
  baseUrl = server.baseUrl;
  trunk = await SipTestPeer.open();
  browser = await launchBrowser();
  context = await browser.newContext({ locale: "en-US", viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  await signInAsAdmin(page, baseUrl);
});

afterAll(async () => {
  await browser?.close();
  await trunk?.close();
  await server?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

let calls = 0;
/** An INVITE from the test's trunk socket; resolves with the edge's first answer of 180 or above. */
async function invite(did: string): Promise<number> {
  const callId = `e2e-call-${++calls}`;
  trunk.send(inviteText(trunk.local, { port: sipPort }, { callId, to: did }), { port: sipPort });
  const answer = () => trunk.responses("INVITE").find((response) => response.status >= 180 && headerValue(response, "call-id") === callId);
  await trunk.until(() => answer() !== undefined, 10_000);
  return answer()!.status;
}

describe("SIP trunks with TELEPHONY=sip", () => {
  it("shows the server address phones register to in the extension's SIP panel", async () => {
    await page.goto(`${baseUrl}/extensions`);
    await page.getByRole("button", { name: "Edit: 101" }).click();
    const dialog = page.getByRole("dialog");
    await expect.poll(() => dialog.getByTestId("sip-server").textContent()).toBe(`127.0.0.1, port ${sipPort} (UDP)`);
    await dialog.getByRole("button", { name: "Cancel" }).click();
  });

  it("configures a trunk in the browser; the edge takes its next INVITE for the DID it carries, and only that", async () => {
    // The demo's number has a published flow; no trunk is configured yet, so the source is taken for a phone and challenged.
    expect(await invite("+3612345678")).toBe(401);

    await page.goto(`${baseUrl}/trunks`);
    await expect.poll(() => page.getByText("No SIP trunks yet.").count()).toBe(1);
    await page.getByRole("button", { name: "Add SIP trunk" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Name", { exact: true }).fill("Loopback provider");
    await dialog.getByLabel("Provider addresses").fill("127.0.0.1:99999");
    await dialog.getByLabel("Phone numbers carried").fill("+36 1 234 5678");
    await dialog.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => dialog.getByText("Enter a host name or IPv4 address").count()).toBe(1);
    await screenshot(page, "sip-trunk-form-error-en");

    await dialog.getByLabel("Provider addresses").fill(`127.0.0.1:${trunk.local.port}`);
    await dialog.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => page.getByText("Loopback provider", { exact: true }).count()).toBe(1);
    expect(await page.getByRole("cell", { name: `127.0.0.1:${trunk.local.port}` }).count()).toBe(1);

    expect(await invite("+3612345678")).toBe(180);
    expect(await invite("+3619999999")).toBe(404);
  });

  it("registers with the provider using the credentials typed into the form, and shows it registered", async () => {
    await page.getByRole("button", { name: "Edit: Loopback provider" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("User name").fill("acct-e2e");
    await dialog.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => dialog.getByText("Enter the password for this user name.").count()).toBe(1);
    await dialog.getByLabel("Password", { exact: true }).fill("provider-password-e2e");
    await dialog.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => dialog.count()).toBe(0);

    // The test's socket is the provider: it accepts the REGISTER for 5 minutes.
    await trunk.until((peer) => peer.requests("REGISTER").length > 0, 15_000);
    const register = trunk.requests("REGISTER")[0];
    expect(headerValue(register, "to")).toBe("<sip:acct-e2e@127.0.0.1>");
    const contact = headerValue(register, "contact")!;
    trunk.udp.socket.send(serializeMessage(responseTo(register, 200, "OK", { toTag: "prov", headers: [{ name: "contact", value: `${contact};expires=300` }] })), sipPort, "127.0.0.1");
    await expect.poll(() => page.getByText(/^Registered until/).count(), { timeout: 15_000 }).toBe(1);
    // The password never comes back to the browser.
    expect(await page.content()).not.toContain("provider-password-e2e");
    await screenshot(page, "sip-trunks-en");

    await setLanguage(page, "hu");
    await expect.poll(() => page.getByRole("heading", { name: "SIP trönkök" }).count()).toBe(1);
    await screenshot(page, "sip-trunks-hu");
    await setLanguage(page, "en");
  });

  it("fits a phone screen", async () => {
    const phone = await browser.newContext({ locale: "en-US", viewport: { width: 390, height: 844 }, storageState: await context.storageState() });
    const narrow = await phone.newPage();
    await narrow.goto(`${baseUrl}/trunks`);
    await expect.poll(() => narrow.getByText("Loopback provider").count()).toBe(1);
    // Nothing wider than the screen: the table scrolls inside its card.
    expect(await narrow.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(narrow, "sip-trunks-phone");
    await phone.close();
  });
});
