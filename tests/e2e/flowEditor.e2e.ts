import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser, Locator, Page } from "playwright-core";
import { launchBrowser, screenshot, setLanguage, signInAsAdmin } from "./browser";

const baseUrl = inject("baseUrl");

let browser: Browser;
let page: Page;


/** Autosave waits a second after the last change, and the server needs a moment: vitest's 1 s default is too short. */
const patient = { timeout: 10_000 };

const palette = () => page.getByRole("region", { name: "Nodes" });
const canvasNode = (id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);

async function centre(locator: Locator) {
  const box = await locator.boundingBox();
  if (!box) throw new Error("not visible");
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** Draws a connection the way an admin does: press on an output handle, drag to the other node's input (or onto the node), release. */
async function connectPorts(source: string, port: string, target: string | Locator) {
  const from = await centre(canvasNode(source).locator(`.react-flow__handle.source[data-handleid="${port}"]`));
  const to = await centre(typeof target === "string" ? canvasNode(target).locator(".react-flow__handle.target") : target);
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 5 });
  await page.mouse.move(to.x, to.y, { steps: 5 });
  await page.mouse.up();
}

/** Waits until a node stops moving (the view glides to a node it shows). */
async function settled(locator: Locator) {
  let previous = "";
  await expect
    .poll(async () => {
      const now = JSON.stringify(await locator.boundingBox());
      const still = now === previous;
      previous = now;
      return still;
    }, patient)
    .toBe(true);
}

/** Runs `action`, which should make the page download a file, and returns the file's text. */
async function download(action: () => Promise<void>): Promise<string> {
  const [file] = await Promise.all([page.waitForEvent("download"), action()]);
  return fs.readFileSync((await file.path()) as string, "utf8");
}

const edgeCount = () => page.locator(".react-flow__edge").count();

beforeAll(async () => {
  browser = await launchBrowser();
  const context = await browser.newContext({ locale: "en-US", viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseUrl });
  page = await context.newPage();
  await signInAsAdmin(page, baseUrl);
  await setLanguage(page, "en");
});

afterAll(async () => {
  // Leave the shared account in English for the test files that run after this one.
  if (page) {
    await page.goto(`${baseUrl}/flows`);
    await setLanguage(page, "en");
  }
  await browser?.close();
});

describe("flow editor", () => {
  it("creates an empty flow and opens the editor", async () => {
    await page.goto(`${baseUrl}/flows`);
    await screenshot(page, "flows-list-en");
    await page.getByRole("button", { name: "New flow" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Name").fill("Main line");
    await dialog.getByRole("button", { name: "Save" }).click();
    await page.waitForURL(/\/flows\/flw_/, { waitUntil: "commit" });
    await expect.poll(() => page.getByRole("group", { name: "Start" }).count(), patient).toBe(1);
    await screenshot(page, "editor-empty-en");
  });

  it("builds a flow by dragging nodes from the palette and connecting their ports", async () => {
    const pane = page.locator(".react-flow__pane");
    await palette().getByRole("button", { name: "Menu" }).dragTo(pane, { targetPosition: { x: 420, y: 120 } });
    await expect.poll(() => canvasNode("menu").count(), patient).toBe(1);
    await palette().getByRole("button", { name: "Hang up" }).dragTo(pane, { targetPosition: { x: 420, y: 520 } });
    await expect.poll(() => canvasNode("hangup").count(), patient).toBe(1);

    await connectPorts("start", "next", "menu");
    await expect.poll(edgeCount, patient).toBe(1);
    // The model forbids a second edge from the same output, and edges into the start node.
    await connectPorts("start", "next", "hangup");
    await connectPorts("menu", "1", canvasNode("start"));
    await expect.poll(edgeCount, patient).toBe(1);
    await screenshot(page, "editor-built-en");
  });

  it("configures the menu in the inspector, and blocks publishing while there are errors", async () => {
    await canvasNode("menu").click();
    await page.getByLabel("Menu prompt").fill("For sales press 1, for support press 2, for {{ call.");
    // Variables available at this node are offered while typing a template.
    await page.getByRole("option", { name: /call\.caller\.number/ }).first().click();
    await expect.poll(() => page.getByLabel("Menu prompt").inputValue(), patient).toBe("For sales press 1, for support press 2, for {{ call.caller.number }}");
    await page.getByLabel("Menu prompt").fill("For sales press 1, for support press 2, to hear this again press 3.");
    await page.getByRole("button", { name: "Key 3" }).click();
    await expect.poll(() => canvasNode("menu").locator('.react-flow__handle.source[data-handleid="3"]').count(), patient).toBe(1);
    await expect.poll(() => canvasNode("menu").getByText("Keys 1, 2, 3 · 5 s").count(), patient).toBe(1);

    // Keys 1–3 lead nowhere yet: errors, and Publish says why it is disabled.
    const publish = page.getByRole("button", { name: "Publish" });
    await expect.poll(() => page.getByText("Fix 3 errors to publish.").count(), patient).toBe(1);
    expect(await publish.isDisabled()).toBe(true);
    await page.getByRole("tab", { name: /Problems/ }).click();
    await screenshot(page, "editor-problems-en");
    await page.getByRole("button", { name: /Menu.*Connect output "1"/ }).click();
    await expect.poll(() => canvasNode("menu").getAttribute("class"), patient).toContain("selected");
    await settled(canvasNode("menu"));

    await connectPorts("menu", "1", "hangup");
    await page.getByRole("combobox", { name: "Key 2" }).selectOption("hangup");
    // A node's own output cannot lead back into it.
    expect(await page.getByRole("combobox", { name: "Key 3" }).locator('option[value="menu"]').count()).toBe(0);
    await expect.poll(() => page.getByText("Fix 1 error to publish.").count(), patient).toBe(1);
    await page.getByRole("combobox", { name: "Key 3" }).selectOption("hangup");
    await expect.poll(() => publish.isDisabled(), patient).toBe(false);
    await expect.poll(() => page.getByRole("status").filter({ hasText: "Saved" }).count(), patient).toBe(1);
    await publish.click();
    await expect.poll(() => page.getByText("Published as revision 1.").count(), patient).toBe(1);
    await expect.poll(() => page.getByText("Revision 1 is live").count(), patient).toBe(1);
    await screenshot(page, "editor-published-en");
  });

  it("undoes and redoes with the keyboard", async () => {
    await page.getByLabel("Name on the canvas").fill("Sales menu");
    await expect.poll(() => canvasNode("menu").getByText("Sales menu").count(), patient).toBe(1);
    await page.locator(".react-flow__pane").click({ position: { x: 40, y: 300 } });
    await page.keyboard.press("Control+z");
    await expect.poll(() => canvasNode("menu").getByText("Sales menu").count(), patient).toBe(0);
    await page.keyboard.press("Control+Shift+z");
    await expect.poll(() => canvasNode("menu").getByText("Sales menu").count(), patient).toBe(1);
    await page.getByRole("button", { name: "Undo", exact: true }).click();
    await expect.poll(() => canvasNode("menu").getByText("Sales menu").count(), patient).toBe(0);
  });

  it("shows what a revision changed, and rolls back to an older one", async () => {
    await canvasNode("menu").click();
    await page.getByLabel("Wait for a key").fill("8");
    await expect.poll(() => canvasNode("menu").getByText("Keys 1, 2, 3 · 8 s").count(), patient).toBe(1);
    await expect.poll(() => page.getByText("the draft has unpublished changes").count(), patient).toBe(1);
    await page.getByRole("button", { name: "Publish" }).click();
    await expect.poll(() => page.getByText("Published as revision 2.").count(), patient).toBe(1);

    await page.getByRole("tab", { name: "History" }).click();
    await page.getByRole("button", { name: "View revision 2" }).click();
    await expect.poll(() => page.getByText("0 added, 1 changed, 0 removed").count(), patient).toBe(1);
    await screenshot(page, "editor-history-diff-en");
    await page.getByRole("button", { name: "Back to editing" }).click();

    await page.getByRole("button", { name: "Roll back to revision 1" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Roll back" }).click();
    await expect.poll(() => page.getByText("Revision 3 is live").count(), patient).toBe(1);
    await expect.poll(() => canvasNode("menu").getByText("Keys 1, 2, 3 · 5 s").count(), patient).toBe(1);
    await page.getByRole("tab", { name: "History" }).click();
    await expect.poll(() => page.getByRole("button", { name: "View revision 3" }).count(), patient).toBe(1);
  });

  it("places a test call against the draft and follows it on the canvas", async () => {
    await page.getByRole("tab", { name: "Test call" }).click();
    await page.getByRole("button", { name: "Start test call" }).click();
    await expect.poll(() => canvasNode("menu").getAttribute("aria-current"), patient).toBe("step");
    await expect.poll(() => page.getByText("“For sales press 1, for support press 2, to hear this again press 3.”").count(), patient).toBe(1);
    await screenshot(page, "editor-test-call-en");
    await page.getByRole("group", { name: "Keypad" }).getByRole("button", { name: "1", exact: true }).click();
    await expect.poll(() => page.getByRole("status").filter({ hasText: "Call ended" }).count(), patient).toBe(1);
    expect(await canvasNode("menu").getAttribute("aria-current")).toBeNull();
  });

  it("exports a flow and imports the file back to an identical document", async () => {
    const exported = await download(() => page.getByRole("button", { name: "Export to a file" }).click());
    expect(JSON.parse(exported)).toMatchObject({ schema_version: 1, name: "Main line" });

    await page.goto(`${baseUrl}/flows`);
    const chooser = page.waitForEvent("filechooser");
    await page.getByRole("button", { name: "Import a file" }).click();
    await (await chooser).setFiles({ name: "main-line.flow.json", mimeType: "application/json", buffer: Buffer.from(exported) });
    await page.waitForURL(/\/flows\/flw_/, { waitUntil: "commit" });
    await expect.poll(() => canvasNode("menu").count(), patient).toBe(1);
    const again = await download(() => page.getByRole("button", { name: "Export to a file" }).click());
    expect(again).toBe(exported);
  });

  it("refuses to import a file that is not a flow, saying why", async () => {
    await page.goto(`${baseUrl}/flows`);
    const chooser = page.waitForEvent("filechooser");
    await page.getByRole("button", { name: "Import a file" }).click();
    const broken = { schema_version: 1, name: "Broken", nodes: [{ id: "x", type: "teleport", position: { x: 0, y: 0 }, config: {} }], edges: [] };
    await (await chooser).setFiles({ name: "broken.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(broken)) });
    const dialog = page.getByRole("dialog");
    await expect.poll(() => dialog.getByText('Unknown node type "teleport"').count(), patient).toBe(1);
    await dialog.getByRole("button", { name: "Close" }).click();
  });
});

describe("two admins editing the same flow", () => {
  it("warns the second one instead of silently overwriting, and lets them choose", async () => {
    await page.goto(`${baseUrl}/flows`);
    await page.getByRole("button", { name: "New flow" }).click();
    await page.getByRole("dialog").getByLabel("Name").fill("Shared flow");
    await page.getByRole("dialog").getByRole("button", { name: "Save" }).click();
    await page.waitForURL(/\/flows\/flw_/, { waitUntil: "commit" });
    await expect.poll(() => canvasNode("start").count(), patient).toBe(1);

    const otherContext = await browser.newContext({ locale: "en-US", viewport: { width: 1280, height: 800 } });
    const other = await otherContext.newPage();
    await signInAsAdmin(other, baseUrl);
    await other.goto(page.url());
    await other.getByLabel("Flow name").fill("Shared flow, edited by the other admin");
    await expect.poll(() => other.getByRole("status").filter({ hasText: "Saved" }).count(), patient).toBe(1);

    await page.getByLabel("Description").fill("My description");
    const conflict = page.getByRole("alert").filter({ hasText: "Someone else saved this flow" });
    await expect.poll(() => conflict.count(), patient).toBe(1);
    expect(await page.getByRole("button", { name: "Publish" }).isDisabled()).toBe(true);
    await screenshot(page, "editor-conflict-en");
    await conflict.getByRole("button", { name: "Keep mine" }).click();
    await expect.poll(() => page.getByRole("status").filter({ hasText: "Saved" }).count(), patient).toBe(1);

    await other.getByLabel("Description").fill("Theirs");
    const otherConflict = other.getByRole("alert").filter({ hasText: "Someone else saved this flow" });
    await expect.poll(() => otherConflict.count(), patient).toBe(1);
    await otherConflict.getByRole("button", { name: "Load their version" }).click();
    await expect.poll(() => other.getByLabel("Description").inputValue(), patient).toBe("My description");
    expect(await other.getByLabel("Flow name").inputValue()).toBe("Shared flow");
    await otherContext.close();
  });
});

describe("flow editor, in Hungarian", () => {
  it("starts a flow from a template, edits opening hours and a ring group, and copies nodes", async () => {
    await page.goto(`${baseUrl}/flows`);
    await setLanguage(page, "hu");
    await page.getByRole("button", { name: "Új hívaslogika" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Név").fill("Recepció");
    await dialog.getByLabel(/Nyitvatartás és menü/).check();
    await dialog.getByRole("button", { name: "Mentés" }).click();
    await page.waitForURL(/\/flows\/flw_/, { waitUntil: "commit" });
    await expect.poll(() => canvasNode("hours").count(), patient).toBe(1);
    // The template's queue is a placeholder: validation names it until the admin picks a real one.
    await expect.poll(() => page.getByText(/Közzététel előtt javítson ki/).count(), patient).toBe(1);
    await screenshot(page, "editor-template-hu");

    await canvasNode("hours").click();
    const saturday = page.getByRole("group", { name: "1. nyitvatartási sáv" }).getByRole("button", { name: "szombat" });
    await saturday.click();
    expect(await saturday.getAttribute("aria-pressed")).toBe("true");
    await expect.poll(() => canvasNode("hours").getByText("H–Szo 08:00–17:00").count(), patient).toBe(1);
    await screenshot(page, "editor-schedule-hu");

    await canvasNode("support").click();
    await page.getByLabel("Várólista", { exact: true }).selectOption({ index: 1 });
    await canvasNode("sales").click();
    await screenshot(page, "editor-ring-group-hu");

    const before = await page.locator(".react-flow__node").count();
    await page.keyboard.press("Control+c");
    await page.keyboard.press("Control+v");
    await expect.poll(() => canvasNode("sales_2").count(), patient).toBe(1);
    expect(await page.locator(".react-flow__node").count()).toBe(before + 1);
    // The pasted copy is selected: Delete removes it, and undo brings it back.
    await page.keyboard.press("Delete");
    await expect.poll(() => canvasNode("sales_2").count(), patient).toBe(0);
    await page.keyboard.press("Control+z");
    await expect.poll(() => canvasNode("sales_2").count(), patient).toBe(1);
    await page.keyboard.press("Control+z");
    await expect.poll(() => canvasNode("sales_2").count(), patient).toBe(0);

    const byeBefore = await canvasNode("bye").boundingBox();
    await page.getByRole("button", { name: "Elrendezés" }).click();
    await expect.poll(async () => JSON.stringify(await canvasNode("bye").boundingBox()) !== JSON.stringify(byeBefore), patient).toBe(true);
    await settled(canvasNode("bye"));
    // After tidying up, the whole flow is in view.
    const pane = (await page.locator(".react-flow__pane").boundingBox())!;
    for (const id of ["start", "bye", "sales"]) {
      const box = (await canvasNode(id).boundingBox())!;
      expect(box.x >= pane.x && box.x + box.width <= pane.x + pane.width, id).toBe(true);
    }
    await screenshot(page, "editor-layout-hu");

    await page.getByRole("tab", { name: "Teszthívás" }).click();
    await screenshot(page, "editor-test-call-hu");
    await page.keyboard.press("?");
    await expect.poll(() => page.getByRole("dialog", { name: "Billentyűparancsok" }).count(), patient).toBe(1);
    await screenshot(page, "editor-shortcuts-hu");
    await page.keyboard.press("Escape");
    await page.goto(`${baseUrl}/flows`);
    await expect.poll(() => page.getByRole("link", { name: "Recepció" }).count(), patient).toBe(1);
    await screenshot(page, "flows-list-hu");
  });
});
