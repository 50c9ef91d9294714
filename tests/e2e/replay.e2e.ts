import { spawnSync } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { launchBrowser, screenshot, setLanguage, signInAsAdmin } from "./browser";

const baseUrl = inject("baseUrl");
const dataDir = inject("dataDir");
const slow = { timeout: 15_000 };

let browser: Browser;
let page: Page;
/** The replayed flow's editor path, from the first test. */
let flowPath = "";

/** API credentials for the simulator (the demo's main number runs the published reception flow). */
function simulatorHeaders(): Record<string, string> {
  const root = path.resolve(__dirname, "../..");
  const result = spawnSync(
    process.execPath,
    [path.join(root, "node_modules/tsx/dist/cli.mjs"), "server/cli/index.ts", "technical-user", "create", "--name", `E2E replay ${Date.now()}`, "--scopes", "simulator,cdrs:read"],
    { cwd: root, env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: "silent", DEMO: "0" }, encoding: "utf8" },
  );
  if (result.status !== 0) throw new Error(`CLI failed: ${result.stderr}`);
  const { client_id, client_secret } = JSON.parse(result.stdout.slice(result.stdout.indexOf("{"))) as { client_id: string; client_secret: string };
  return { authorization: `Basic ${Buffer.from(`${client_id}:${client_secret}`).toString("base64")}`, "content-type": "application/json" };
}

const canvasNode = (id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);
const steps = () => page.getByRole("complementary", { name: /^(Call steps|A hívás lépései)$/ }).getByRole("listitem");
const currentStep = () => page.locator('li[aria-current="step"]');

beforeAll(async () => {
  browser = await launchBrowser();
  const context = await browser.newContext({ locale: "en-US", viewport: { width: 1440, height: 900 } });
  page = await context.newPage();
  await signInAsAdmin(page, baseUrl);
  await page.goto(`${baseUrl}/calls`);
  await setLanguage(page, "en");
});

afterAll(async () => {
  await browser?.close();
});

describe("call replay", () => {
  it("replays a finished call on the canvas of the revision it ran, step by step, then goes back to the draft", async () => {
    // A call through the demo reception flow: start → business hours → (menu or closed message), then the caller hangs up.
    const headers = simulatorHeaders();
    const started = await fetch(`${baseUrl}/api/v1/simulator/calls`, { method: "POST", headers, body: JSON.stringify({ from: "+36301112233", to: "+3612345678" }) });
    expect(started.status).toBeLessThan(300);
    const { call_id } = (await started.json()) as { call_id: string };
    await expect
      .poll(async () => {
        const call = await fetch(`${baseUrl}/api/v1/simulator/calls/${call_id}`, { headers });
        return call.ok ? ((await call.json()) as { trace?: unknown[] }).trace?.length ?? 0 : 99;
      }, slow)
      .toBeGreaterThanOrEqual(2);
    // The closed-hours path may already have ended the call by itself.
    await fetch(`${baseUrl}/api/v1/simulator/calls/${call_id}/hangup`, { method: "POST", headers });

    await page.goto(`${baseUrl}/calls`);
    const row = page.locator(`tr[data-call="${call_id}"]`);
    await expect.poll(() => row.count(), slow).toBe(1);
    await screenshot(page, "replay-calls-en");
    // A row action and a link in the steps dialog both open the replay.
    expect(await row.getByRole("link", { name: "Replay on canvas" }).getAttribute("href")).toMatch(new RegExp(`^/flows/[^/?]+\\?replay=${call_id}$`));
    await row.getByRole("button", { name: "Show the flow steps" }).click();
    const replayLink = page.getByRole("dialog").getByRole("link", { name: "Replay on canvas" });
    await expect.poll(() => replayLink.count(), slow).toBe(1);
    await screenshot(page, "replay-trace-dialog-en");
    await replayLink.click();

    // The editor in replay mode: a bookmarkable URL, the banner, the step list and the controls.
    await page.waitForURL(/\/flows\/[^/?]+\?replay=/);
    expect(new URL(page.url()).searchParams.get("replay")).toBe(call_id);
    flowPath = new URL(page.url()).pathname;
    const banner = page.getByRole("region", { name: "Replay" });
    await expect.poll(() => banner.textContent(), slow).toMatch(/Replay of the call from \+36301112233 to \+3612345678 at .+, revision 1/);
    expect(await page.getByRole("region", { name: "Nodes" }).count()).toBe(0); // no palette: read-only
    expect(await steps().count()).toBeGreaterThanOrEqual(2);
    expect(await steps().first().textContent()).toMatch(/^1\. Start/);

    // Step 1: the start node is current, nothing taken yet.
    await expect.poll(() => currentStep().getAttribute("data-step"), slow).toBe("0");
    await expect.poll(() => canvasNode("start").getAttribute("aria-current"), slow).toBe("step");
    expect(await canvasNode("start").getAttribute("class")).toContain("node-active");
    expect(await page.locator(".react-flow__edge.edge-taken").count()).toBe(0);
    expect(await page.getByRole("status").filter({ hasText: /^Step 1 of \d+$/ }).count()).toBe(1);

    // Next: the business-hours check is current, the start node visited, the connection between them taken.
    await page.getByRole("button", { name: "Next step" }).click();
    await expect.poll(() => currentStep().getAttribute("data-step"), slow).toBe("1");
    await expect.poll(() => canvasNode("hours").getAttribute("aria-current"), slow).toBe("step");
    expect(await canvasNode("hours").getAttribute("class")).toContain("node-active");
    expect(await canvasNode("start").getAttribute("class")).toContain("node-visited");
    expect(await canvasNode("start").getAttribute("aria-current")).toBeNull();
    expect(await page.locator(".react-flow__edge.edge-current").count()).toBe(1);
    await screenshot(page, "replay-en");

    // Arrow keys step too; clicking a step in the list jumps to it.
    await page.keyboard.press("ArrowLeft");
    await expect.poll(() => currentStep().getAttribute("data-step"), slow).toBe("0");
    await page.keyboard.press("ArrowRight");
    await expect.poll(() => currentStep().getAttribute("data-step"), slow).toBe("1");
    await steps().first().getByRole("button").first().click();
    await expect.poll(() => currentStep().getAttribute("data-step"), slow).toBe("0");
    await page.getByRole("button", { name: "Last step" }).click();
    const total = await steps().count();
    await expect.poll(() => currentStep().getAttribute("data-step"), slow).toBe(String(total - 1));
    // The whole path, with the last step's recorded input and output opened.
    await page.getByRole("button", { name: "Show the whole flow" }).click();
    await currentStep().getByText("Input and output").click();
    await expect.poll(() => currentStep().locator("pre").count(), slow).toBeGreaterThan(0);
    expect(await page.locator(".react-flow__edge.edge-taken").count()).toBeGreaterThanOrEqual(total - 1);
    await screenshot(page, "replay-last-step-en");

    // Play from the start advances by itself.
    await page.getByRole("button", { name: "First step" }).click();
    await page.getByRole("button", { name: "Play", exact: true }).click();
    await expect.poll(() => currentStep().getAttribute("data-step"), slow).not.toBe("0");

    await setLanguage(page, "hu");
    try {
      await expect.poll(() => page.getByRole("region", { name: "Visszajátszás" }).textContent(), slow).toMatch(/\+36301112233 hívása .*1\. változat/);
      await page.getByRole("button", { name: "Első lépés" }).click();
      await page.getByRole("button", { name: "Következő lépés" }).click();
      await expect.poll(() => currentStep().getAttribute("data-step"), slow).toBe("1");
      await page.getByRole("button", { name: "A teljes hívaslogika megjelenítése" }).click();
      await screenshot(page, "replay-hu");
    } finally {
      await setLanguage(page, "en");
    }

    // Back to the draft: the ordinary editor, without the replay in the URL.
    await page.getByRole("button", { name: "Back to editing" }).click();
    await page.waitForURL((url) => !url.searchParams.has("replay"));
    await expect.poll(() => page.getByRole("region", { name: "Nodes" }).count(), slow).toBe(1);
    expect(await page.locator('.react-flow__node[aria-current="step"]').count()).toBe(0);
  });

  it("says so when the call does not exist", async () => {
    expect(flowPath).toMatch(/^\/flows\/./);
    await page.goto(`${baseUrl}${flowPath}?replay=call_does_not_exist`);
    await expect.poll(() => page.getByRole("alert").filter({ hasText: "This call's steps were not found." }).count(), slow).toBe(1);
    await screenshot(page, "replay-not-found-en");
  });
});
