/**
 * Audio prompts in the flow editor: uploading a recording from a play node's
 * inspector (a real WAV made here), a rejected upload, the library dialog,
 * and the test panel making prompts audible — recordings played, text
 * spoken through speechSynthesis (stubbed: headless Chromium has no voices)
 * only while "Speak prompts" is on.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser, Locator, Page } from "playwright-core";
import { wavBytes } from "@/server/audio/testAudio";
import { launchBrowser, screenshot, setLanguage, signInAsAdmin } from "./browser";

const baseUrl = inject("baseUrl");
const patient = { timeout: 10_000 };

let browser: Browser;
let page: Page;

declare global {
  interface Window {
    __spoken: { text: string; lang: string }[];
    __played: string[];
  }
}

/** Records what the page says and plays instead of making sound. */
function stubSound() {
  window.__spoken = [];
  window.__played = [];
  const synthesis = {
    speaking: false,
    pending: false,
    paused: false,
    speak: (utterance: SpeechSynthesisUtterance) => window.__spoken.push({ text: utterance.text, lang: utterance.lang }),
    cancel: () => undefined,
    pause: () => undefined,
    resume: () => undefined,
    getVoices: () => [],
    addEventListener: () => undefined,
    removeEventListener: () => undefined,
  };
  Object.defineProperty(window, "speechSynthesis", { value: synthesis, configurable: true });
  if (typeof window.SpeechSynthesisUtterance !== "function") {
    (window as unknown as { SpeechSynthesisUtterance: unknown }).SpeechSynthesisUtterance = class {
      lang = "";
      voice: unknown = null;
      constructor(readonly text: string) {}
    };
  }
  HTMLMediaElement.prototype.play = function play(this: HTMLMediaElement) {
    window.__played.push(this.src);
    return Promise.resolve();
  };
}

const canvasNode = (id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);
const spoken = () => page.evaluate(() => window.__spoken);
const played = () => page.evaluate(() => window.__played);

async function centre(locator: Locator) {
  const box = await locator.boundingBox();
  if (!box) throw new Error("not visible");
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

async function connectPorts(source: string, port: string, target: string) {
  const from = await centre(canvasNode(source).locator(`.react-flow__handle.source[data-handleid="${port}"]`));
  const to = await centre(canvasNode(target).locator(".react-flow__handle.target"));
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 5 });
  await page.mouse.move(to.x, to.y, { steps: 5 });
  await page.mouse.up();
}

/** Selects a node and shows its properties (the side panel may be on another tab). */
async function inspect(id: string, tab = "Properties") {
  await canvasNode(id).click();
  await page.getByRole("tab", { name: tab }).click();
}

/** Starts a test call and waits until it is over (a play node, then the call ends). */
async function testCall() {
  await page.getByRole("button", { name: "Start test call" }).click();
  await expect.poll(() => page.getByRole("status").filter({ hasText: "Call ended" }).count(), patient).toBe(1);
}

beforeAll(async () => {
  browser = await launchBrowser();
  const context = await browser.newContext({ locale: "en-US", viewport: { width: 1280, height: 860 } });
  await context.addInitScript(stubSound);
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

describe("audio prompts", () => {
  it("builds a flow that greets the caller with a play node", async () => {
    await page.goto(`${baseUrl}/flows`);
    await page.getByRole("button", { name: "New flow" }).click();
    await page.getByRole("dialog").getByLabel("Name").fill("Greeting with audio");
    await page.getByRole("dialog").getByRole("button", { name: "Save" }).click();
    await page.waitForURL(/\/flows\/flw_/, { waitUntil: "commit" });
    const pane = page.locator(".react-flow__pane");
    await page.getByRole("region", { name: "Nodes" }).getByRole("button", { name: "Play message" }).dragTo(pane, { targetPosition: { x: 420, y: 160 } });
    await expect.poll(() => canvasNode("play").count(), patient).toBe(1);
    await connectPorts("start", "next", "play");
    await expect.poll(() => page.locator(".react-flow__edge").count(), patient).toBe(1);
    await canvasNode("play").click();
    await page.getByLabel("Text to say").fill("Jó napot kívánok!");
    await page.getByLabel("Language (optional)").selectOption("hu");
  });

  it("speaks text prompts in their language while the toggle is on, and not when it is off", async () => {
    await page.getByRole("tab", { name: "Test call" }).click();
    const toggle = page.getByRole("checkbox", { name: /Speak prompts aloud/ });
    await expect.poll(() => toggle.isEnabled(), patient).toBe(true);
    expect(await toggle.isChecked()).toBe(true);
    await testCall();
    await expect.poll(spoken, patient).toEqual([{ text: "Jó napot kívánok!", lang: "hu-HU" }]);
    await screenshot(page, "audio-test-call-speech-en");

    await toggle.uncheck();
    await testCall();
    await expect.poll(() => page.getByText("“Jó napot kívánok!”").count(), patient).toBe(1);
    expect(await spoken()).toHaveLength(1);
    // The choice is remembered by the browser.
    expect(await page.evaluate(() => localStorage.getItem("switchboard.testCall.speakPrompts"))).toBe("0");
    await page.reload();
    await page.getByRole("tab", { name: "Test call" }).click();
    await expect.poll(() => page.getByRole("checkbox", { name: /Speak prompts aloud/ }).isChecked(), patient).toBe(false);
    await page.getByRole("checkbox", { name: /Speak prompts aloud/ }).check();
  });

  it("refuses a text file named .wav, saying why, next to the upload button", async () => {
    await inspect("play");
    await page.getByLabel("Upload audio…").setInputFiles({ name: "greeting.wav", mimeType: "audio/wav", buffer: Buffer.from("this is not audio") });
    await expect.poll(() => page.getByRole("alert").filter({ hasText: "Only WAV and MP3 files can be uploaded." }).count(), patient).toBe(1);
  });

  it("uploads a WAV from the play node and chooses it, showing its length", async () => {
    await page.getByLabel("Upload audio…").setInputFiles({ name: "Welcome message.wav", mimeType: "audio/wav", buffer: wavBytes({ durationMs: 1500 }) });
    const picker = page.getByLabel(/^Recorded audio/);
    await expect.poll(() => picker.inputValue(), patient).toMatch(/^aud_/);
    await expect.poll(() => picker.locator("option:checked").textContent(), patient).toBe("Welcome message · 1.5 s");
    expect(await page.getByRole("alert").filter({ hasText: "Only WAV" }).count()).toBe(0);
    await expect.poll(() => page.getByRole("button", { name: "Play Welcome message" }).count(), patient).toBe(1);
    // The file is served back (with Range) for the play button.
    const audioId = await picker.inputValue();
    const response = await page.request.get(`${baseUrl}/api/audio-prompts/${audioId}`, { headers: { range: "bytes=0-3" } });
    expect(response.status()).toBe(206);
    expect((await response.body()).toString("latin1")).toBe("RIFF");
    await screenshot(page, "audio-inspector-uploaded-en");
  });

  it("plays the recording in a test call instead of speaking the text", async () => {
    await page.getByRole("tab", { name: "Test call" }).click();
    const before = (await spoken()).length;
    await testCall();
    await expect.poll(async () => (await played()).some((src) => /\/api\/audio-prompts\/aud_/.test(src)), patient).toBe(true);
    expect((await spoken()).length).toBe(before);
    await expect.poll(() => page.getByText("(recording)").count(), patient).toBe(1);
    await screenshot(page, "audio-test-call-recording-en");
  });

  it("lists the library; a recording a flow plays cannot be deleted", async () => {
    await inspect("play");
    await page.getByRole("button", { name: "Recordings…" }).click();
    const dialog = page.getByRole("dialog");
    await expect.poll(() => dialog.getByText("Welcome message", { exact: true }).count(), patient).toBe(1);
    await dialog.getByRole("button", { name: "Delete Welcome message" }).click();
    await dialog.getByRole("button", { name: "Delete for good" }).click();
    await expect.poll(() => dialog.getByRole("alert").filter({ hasText: "A flow still plays this recording" }).count(), patient).toBe(1);
    await screenshot(page, "audio-library-en");
    await dialog.getByRole("button", { name: "Close" }).click();
  });

  it("shows the same in Hungarian", async () => {
    // The portal's language switch (the editor makes the portal around it inert).
    const flowUrl = page.url();
    await page.goto(`${baseUrl}/flows`);
    await setLanguage(page, "hu");
    await page.goto(flowUrl);
    await inspect("play", "Tulajdonságok");
    await expect.poll(() => page.getByLabel(/^Hangfelvétel/).locator("option:checked").textContent(), patient).toBe("Welcome message · 1,5 mp");
    await screenshot(page, "audio-inspector-uploaded-hu");
    await page.getByRole("tab", { name: "Teszthívás" }).click();
    await expect.poll(() => page.getByRole("checkbox", { name: /Bemondások felolvasása/ }).count(), patient).toBe(1);
    await screenshot(page, "audio-test-call-hu");
  });
});
